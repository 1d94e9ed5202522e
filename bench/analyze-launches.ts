import type { LaunchTiming } from './launch-timings.js';
import { summarize, type Summary } from './summarize.js';

export interface LaunchAnalysis {
  readonly launches: number;
  /** Launches whose create request came after the JIT config (mint, then create). */
  readonly sequential: number;
  /** Launches whose create request came before the JIT config was minted (create while minting). */
  readonly concurrent: number;
  /** Webhook received → create request received, minus the API latency before it, from a free launch slot. */
  readonly createOverhead: Summary;
  /**
   * The server's part of createOverhead: until it handed the create request to its gRPC
   * transport (the rest is the transport: `createTransit`).
   */
  readonly createOverheadServer: Summary;
  /** Create request handed to the transport → received by the fake Modal. */
  readonly createTransit: Summary;
  /** The same for the first MAX_CONCURRENT_LAUNCHES launches only (no slot to wait for). */
  readonly createOverheadFirst: Summary;
  /** Webhook sent (by the client) → create request received, minus API latency, queueing included. */
  readonly createOverheadQueued: Summary;
  /** Webhook received → sandbox has its config, minus API latency, from a free launch slot. */
  readonly configOverhead: Summary;
  readonly configOverheadFirst: Summary;
  /** Webhook received → create request received, raw (no latency subtracted), from a free slot. */
  readonly createLatency: Summary;
  /** Webhook received → sandbox has its config, raw, from a free slot. */
  readonly configLatency: Summary;
  /** Free slot (or webhook) → generate-jitconfig received by the fake GitHub. */
  readonly toMint: Summary;
  /** generate-jitconfig answered → create request received (sequential launches only). */
  readonly mintToCreate: Summary;
  /** Launches completed per second between the 10th and 90th percentile completion. */
  readonly throughputPerSecond: number;
}

/**
 * Dispatch overhead and throughput of one burst. See BENCHMARKS.md ("How it is measured") for
 * the definitions; in short, for launch k (ordered by when it started, i.e. when the fake GitHub
 * received its generate-jitconfig or the fake Modal its create request, whichever came first):
 *
 *   slotFree(k)  = completion time of the (k − C)th launch to complete (C = MAX_CONCURRENT_LAUNCHES),
 *                  −∞ for k < C; a launch completes when its sandbox has been created and has its config
 *   available(k) = max(webhook received, slotFree(k)); received = when the server recorded the job
 *                  (its ledger's createdAt), or when the webhook was sent if that is unknown
 *   overhead(k)  = event(k) − available(k) − API latency on the path to the event
 *
 * The API latency on the path to the create request is the GitHub latency when the create request
 * followed the JIT config (sequential launch), none when it did not; to "has its config" it is
 * GitHub + Modal latency (sequential) or max(GitHub, Modal) (concurrent).
 */
export function analyzeLaunches(
  timings: readonly LaunchTiming[],
  latency: { readonly githubMs: number; readonly modalMs: number },
  maxConcurrentLaunches: number,
): LaunchAnalysis {
  const isSequential = (t: LaunchTiming) =>
    t.jitAnsweredAt !== undefined && t.createRequestedAt >= t.jitAnsweredAt - 0.5;
  const startOf = (t: LaunchTiming) =>
    Math.min(t.createRequestedAt, (t.jitAnsweredAt ?? Infinity) - latency.githubMs);
  const completionOf = (t: LaunchTiming) => Math.max(t.createdAt, t.configAt ?? t.createdAt);
  const started = [...timings].sort((a, b) => startOf(a) - startOf(b));
  const completions = timings.map(completionOf).sort((a, b) => a - b);

  const create: number[] = [];
  const createServer: number[] = [];
  const transit: number[] = [];
  const createFirst: number[] = [];
  const createQueued: number[] = [];
  const config: number[] = [];
  const configFirst: number[] = [];
  const createRaw: number[] = [];
  const configRaw: number[] = [];
  const toMint: number[] = [];
  const mintToCreate: number[] = [];
  started.forEach((t, k) => {
    const sequential = isSequential(t);
    const slotFree =
      k < maxConcurrentLaunches ? -Infinity : (completions[k - maxConcurrentLaunches] ?? -Infinity);
    // The webhook was received when the server recorded its job (the bench cannot see the
    // server read the request); without a ledger to read, when it was sent.
    const received = t.recordedAt ?? t.sentAt;
    const available = Math.max(received, slotFree);
    const beforeCreate = sequential ? latency.githubMs : 0;
    const beforeConfig = sequential
      ? latency.githubMs + latency.modalMs
      : Math.max(latency.githubMs, latency.modalMs);
    create.push(t.createRequestedAt - available - beforeCreate);
    if (t.createSentAt !== undefined) {
      createServer.push(t.createSentAt - available - beforeCreate);
      transit.push(t.createRequestedAt - t.createSentAt);
    }
    createRaw.push(t.createRequestedAt - available);
    if (t.jitAnsweredAt !== undefined) {
      toMint.push(t.jitAnsweredAt - latency.githubMs - available);
      if (sequential) mintToCreate.push(t.createRequestedAt - t.jitAnsweredAt);
    }
    createQueued.push(t.createRequestedAt - t.sentAt - beforeCreate);
    if (k < maxConcurrentLaunches) createFirst.push(t.createRequestedAt - received - beforeCreate);
    if (t.configAt !== undefined) {
      config.push(t.configAt - available - beforeConfig);
      configRaw.push(t.configAt - available);
      if (k < maxConcurrentLaunches) configFirst.push(t.configAt - received - beforeConfig);
    }
  });

  const n = completions.length;
  const from = Math.floor(n * 0.1);
  const to = Math.max(from, Math.ceil(n * 0.9) - 1);
  const span = (completions[to] ?? 0) - (completions[from] ?? 0);
  return {
    launches: timings.length,
    sequential: timings.filter(isSequential).length,
    concurrent: timings.filter((t) => !isSequential(t)).length,
    createOverhead: summarize(create),
    createOverheadServer: summarize(createServer),
    createTransit: summarize(transit),
    createOverheadFirst: summarize(createFirst),
    createOverheadQueued: summarize(createQueued),
    configOverhead: summarize(config),
    configOverheadFirst: summarize(configFirst),
    createLatency: summarize(createRaw),
    configLatency: summarize(configRaw),
    toMint: summarize(toMint),
    mintToCreate: summarize(mintToCreate),
    throughputPerSecond: span > 0 ? ((to - from) * 1000) / span : NaN,
  };
}
