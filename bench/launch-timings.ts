import type { FakeModal, FakeSandbox } from '../sim/modal/fake-modal.js';

/** One job's launch, as the fakes in the bench process saw it (bench clock, ms). */
export interface LaunchTiming {
  readonly jobId: number;
  readonly runnerName: string;
  /** The webhook was handed to its socket. */
  readonly sentAt: number;
  readonly answeredAt: number;
  /**
   * When the server recorded the job (its ledger's `createdAt`, whole milliseconds, so up to
   * 1 ms early); undefined when the server keeps no ledger the bench can read.
   */
  readonly recordedAt: number | undefined;
  /** The fake GitHub answered generate-jitconfig for this runner (after its latency). */
  readonly jitAnsweredAt: number | undefined;
  /**
   * The server handed the (first) sandbox-create request to its gRPC transport; undefined when
   * the bench cannot see that.
   */
  readonly createSentAt: number | undefined;
  /** The fake Modal received the (first) sandbox-create request. */
  readonly createRequestedAt: number;
  /** The fake Modal created the sandbox and answered (after its latency). */
  readonly createdAt: number;
  /** When the sandbox had its JIT config; undefined when the fake cannot tell. */
  readonly configAt: number | undefined;
}

/** A sandbox-create request's tags. */
export function tagsOf(request: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  const list = (request as { tags?: unknown } | null)?.tags;
  if (!Array.isArray(list)) return tags;
  for (const item of list as { tagName?: unknown; tagValue?: unknown }[]) {
    if (typeof item.tagName === 'string' && typeof item.tagValue === 'string') {
      tags[item.tagName] = item.tagValue;
    }
  }
  return tags;
}

/**
 * When `sandbox` had its JIT config: when the fake Modal received it on the sandbox's stdin (one
 * write carries the whole line). Undefined while it has none.
 */
export function configAt(sandbox: FakeSandbox): number | undefined {
  return sandbox.stdin.firstWriteAt;
}

/**
 * Joins, per job, the webhook's timing with what the fake GitHub and the fake Modal recorded:
 * the sandbox's `job-id` and `runner-name` tags lead from the create request to the job and to
 * the generate-jitconfig call (whose body names the runner).
 */
export function launchTimings(
  modal: FakeModal,
  jitAnsweredAt: ReadonlyMap<string, number>,
  answers: ReadonlyMap<number, { sentAt: number; answeredAt: number }>,
  recordedAt: ReadonlyMap<number, number> = new Map(),
  createSentAt: ReadonlyMap<number, number> = new Map(),
): LaunchTiming[] {
  const requested = new Map<number, { at: number; runnerName: string }>();
  for (const call of modal.calls) {
    if (call.method !== 'SandboxCreateV2' && call.method !== 'SandboxCreate') continue;
    const tags = tagsOf(call.request);
    const jobId = Number(tags['job-id']);
    if (!requested.has(jobId)) {
      requested.set(jobId, { at: call.at, runnerName: tags['runner-name'] ?? '' });
    }
  }
  const created = new Map<number, FakeSandbox>();
  for (const sandbox of modal.created) {
    const jobId = Number(sandbox.tags['job-id']);
    if (!created.has(jobId)) created.set(jobId, sandbox);
  }
  const out: LaunchTiming[] = [];
  for (const [jobId, answer] of answers) {
    const request = requested.get(jobId);
    const sandbox = created.get(jobId);
    if (!request || !sandbox) continue;
    out.push({
      jobId,
      runnerName: request.runnerName,
      sentAt: answer.sentAt,
      answeredAt: answer.answeredAt,
      recordedAt: recordedAt.get(jobId),
      createSentAt: createSentAt.get(jobId),
      jitAnsweredAt: jitAnsweredAt.get(request.runnerName),
      createRequestedAt: request.at,
      createdAt: sandbox.createdAt,
      configAt: configAt(sandbox),
    });
  }
  return out;
}
