/**
 * GitHub calls one reconciliation may make. Each call is spent before it is made; what does not
 * fit is named in `skipped` and waits for the next tick.
 */
export interface ApiBudget {
  spend(what: string): boolean;
  readonly calls: number;
  readonly skipped: readonly string[];
}

export function createApiBudget(limit: number): ApiBudget {
  let calls = 0;
  const skipped: string[] = [];
  return {
    spend(what) {
      if (calls >= limit) {
        skipped.push(what);
        return false;
      }
      calls += 1;
      return true;
    },
    get calls() {
      return calls;
    },
    skipped,
  };
}
