import type { JitConfigRequest } from '../ports/runner-registry.js';
import { deleteRegistration } from './delete-registration.js';
import { findRegistration } from './find-registration.js';
import { GitHubError } from './github-error.js';
import { isOwnRegistration } from './is-own-registration.js';
import { jitRequestContext } from './mint-jit-config.js';
import type { RegistryCall } from './registry-call.js';
import { githubLogFields } from './rest-log-fields.js';

/**
 * After a 409: frees the name if the runner holding it is one of ours that can never run
 * (offline, idle, and we lack its JIT config). True when the name is free to mint again.
 */
export async function releaseRunnerName(
  call: RegistryCall,
  request: JitConfigRequest,
): Promise<boolean> {
  const { log } = call;
  const fields = githubLogFields('generate-jitconfig', jitRequestContext(request));
  const existing = await findRegistration(call, request.scope, request.name);
  if (existing === undefined) {
    log.warn({ ...fields, status: 409 }, 'runner name was taken but is free now; registering');
    return true;
  }
  if (!isOwnRegistration(existing, request) || existing.status !== 'offline' || existing.busy) {
    log.warn(
      {
        ...fields,
        status: 409,
        runnerId: existing.id,
        runnerStatus: existing.status,
        busy: existing.busy,
      },
      'runner name is held by a runner that is not an unused registration of ours; left alone',
    );
    return false;
  }
  log.warn(
    { ...fields, status: 409, runnerId: existing.id },
    'runner name is held by an unused registration (an earlier attempt whose answer was lost); ' +
      'deleting it and registering again',
  );
  try {
    await deleteRegistration(call, request.scope, existing.id, request.name);
  } catch (error) {
    if (error instanceof GitHubError && error.runnerBusy) return false;
    throw error;
  }
  return true;
}
