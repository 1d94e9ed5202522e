import type { JitConfigRequest } from '../ports/runner-registry.js';
import type { RunnerInfo } from './runner-info.js';

/**
 * Whether a runner holding our name is our own earlier registration: it carries every label we
 * asked for, sits in our runner group and is ephemeral (JIT), when GitHub says so. Our names end
 * in 48 random bits, so anything matching all of this is, in practice, ours. Pure.
 */
export function isOwnRegistration(runner: RunnerInfo, request: JitConfigRequest): boolean {
  const have = new Set(runner.labels.map((l) => l.toLowerCase()));
  return (
    request.labels.every((l) => have.has(l.toLowerCase())) &&
    (runner.runnerGroupId === undefined || runner.runnerGroupId === request.runnerGroupId) &&
    runner.ephemeral !== false
  );
}
