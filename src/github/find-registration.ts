import type { RunnerScope } from '../domain/runner-scope.js';
import { listRegistrations } from './list-registrations.js';
import type { RegistryCall } from './registry-call.js';
import type { RunnerInfo } from './runner-info.js';

/** The registration with exactly this name in the scope, if any. */
export async function findRegistration(
  call: RegistryCall,
  scope: RunnerScope,
  name: string,
): Promise<RunnerInfo | undefined> {
  // GitHub filters by name; older GHES versions ignore the parameter, hence the exact match.
  const matches = await listRegistrations(call, scope, { name }, (r) => r.name === name);
  return matches[0];
}
