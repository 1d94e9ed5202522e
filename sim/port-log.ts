/**
 * The call log the in-memory ports (in-memory-github.ts, in-memory-sandbox-platform.ts) share:
 * every call, in order, across both; the faults a test sets up for chosen calls; and hooks that
 * run before a call answers, to change the world while the code under test is between two steps.
 */

/** One call to a port: `github.deleteRunner`, `modal.createSandbox`… and its argument(s). */
export interface PortCall {
  readonly method: string;
  readonly args: unknown;
}

interface Failure {
  readonly error: unknown;
  readonly when: ((args: never) => boolean) | undefined;
  remaining: number;
}

/** The call log both fakes write to, with the faults and hooks a test set up. */
export class PortLog {
  readonly calls: PortCall[] = [];
  readonly #failures = new Map<string, Failure[]>();
  readonly #hooks = new Map<string, ((args: never) => void | Promise<void>)[]>();

  /**
   * The next `times` calls of `method` (for which `when` holds) throw `error` instead of
   * answering; nothing happens in the fake world. `method` is qualified: `modal.deliverConfig`.
   */
  fail<A = unknown>(
    method: string,
    error: unknown,
    options: { times?: number; when?: (args: A) => boolean } = {},
  ): void {
    const list = this.#failures.get(method) ?? [];
    list.push({
      error,
      when: options.when as ((args: never) => boolean) | undefined,
      remaining: options.times ?? 1,
    });
    this.#failures.set(method, list);
  }

  /** Runs `hook` before every call of `method` answers (after it is recorded). */
  before<A = unknown>(method: string, hook: (args: A) => void | Promise<void>): void {
    const list = this.#hooks.get(method) ?? [];
    list.push(hook as (args: never) => void | Promise<void>);
    this.#hooks.set(method, list);
  }

  /** The methods called, in order. */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  /** The arguments of every call of `method`, in order. */
  argsOf<A = unknown>(method: string): A[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args as A);
  }

  /** Records the call, runs its hooks, and throws if a failure was set up for it. */
  async enter(method: string, args: unknown): Promise<void> {
    this.calls.push({ method, args: structuredClone(args) });
    for (const hook of this.#hooks.get(method) ?? []) await hook(args as never);
    const list = this.#failures.get(method) ?? [];
    const failure = list.find((f) => f.when === undefined || f.when(args as never));
    if (failure === undefined) return;
    failure.remaining -= 1;
    if (failure.remaining <= 0) list.splice(list.indexOf(failure), 1);
    throw failure.error;
  }
}
