/** One point of the status chart. */
export interface HistorySample {
  readonly at: number;
  readonly liveRunners: number;
  readonly queuedJobs: number;
}

export interface StatusHistory {
  /** Adds a sample; samples older than the window are dropped. */
  record(sample: HistorySample): void;
  /** Samples in the window, oldest first. */
  samples(now: number): HistorySample[];
}

/**
 * Live runners and queue length over the last `windowMs` (an hour by default), kept in memory:
 * a restart starts a new chart. Bounded by `maxSamples` whatever the sampling rate.
 */
export function createStatusHistory(
  options: { readonly windowMs?: number; readonly maxSamples?: number } = {},
): StatusHistory {
  const windowMs = options.windowMs ?? 3_600_000;
  const maxSamples = options.maxSamples ?? 720;
  let samples: HistorySample[] = [];
  return {
    record(sample) {
      samples.push(sample);
      const since = sample.at - windowMs;
      const firstKept = samples.findIndex((s) => s.at >= since);
      const drop = Math.max(
        firstKept === -1 ? samples.length : firstKept,
        samples.length - maxSamples,
      );
      if (drop > 0) samples = samples.slice(drop);
    },
    samples(now) {
      return samples.filter((s) => s.at >= now - windowMs && s.at <= now);
    },
  };
}
