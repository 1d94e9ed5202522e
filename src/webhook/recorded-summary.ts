import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';

/** A summary line of the deliveries recorded, at most once per interval. */
export interface RecordedSummary {
  note(status: string): void;
}

/**
 * Each recorded delivery is logged at debug (a line per webhook costs a burst's answers); this
 * logs at info, once per `everyMs` at most, how many were recorded since the last line, by job
 * status. Checked as deliveries come: a quiet server logs nothing.
 */
export function createRecordedSummary(
  log: Logger,
  clock: Clock,
  everyMs = 60_000,
): RecordedSummary {
  let counts: Record<string, number> = {};
  let since = clock.now();
  let total = 0;
  return {
    note(status) {
      counts[status] = (counts[status] ?? 0) + 1;
      total += 1;
      const now = clock.now();
      if (now - since < everyMs) return;
      log.info(
        { recorded: counts, total, seconds: Math.round((now - since) / 1000) },
        'workflow_job deliveries recorded',
      );
      counts = {};
      total = 0;
      since = now;
    },
  };
}
