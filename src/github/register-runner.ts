import type { JitConfig, JitConfigRequest } from '../ports/runner-registry.js';
import { GitHubError } from './github-error.js';
import { mintJitConfig } from './mint-jit-config.js';
import type { RegistryCall } from './registry-call.js';
import { releaseRunnerName } from './release-runner-name.js';

/**
 * A JIT config for the request. A 409 (the name is taken) by an unused registration of ours, an
 * earlier attempt whose answer was lost, frees the name and mints once more with it.
 */
export async function registerRunner(
  call: RegistryCall,
  request: JitConfigRequest,
): Promise<JitConfig> {
  try {
    return await mintJitConfig(call, request);
  } catch (error) {
    if (!(error instanceof GitHubError) || error.code !== 'name-taken') throw error;
    if (!(await releaseRunnerName(call, request))) throw error;
  }
  // Once more with the same name; a second 409 is thrown as it is (not retryable).
  return await mintJitConfig(call, request);
}
