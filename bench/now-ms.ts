/** Milliseconds since the epoch with sub-millisecond resolution: the one clock of the bench. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
