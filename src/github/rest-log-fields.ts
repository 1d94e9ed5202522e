import { scopeKey } from '../domain/runner-scope.js';
import type { GitHubOperation, TranslateContext } from './github-error.js';

/**
 * The log fields of one GitHub call: the operation, and the installation, scope
 * (`org:acme`, `repo:octo/hello`) and runner name when known. Never a token or a JIT config.
 */
export function githubLogFields(
  operation: GitHubOperation,
  context: TranslateContext,
): Record<string, unknown> {
  return {
    operation,
    ...(context.installationId === undefined ? {} : { installationId: context.installationId }),
    ...(context.scope ? { scope: scopeKey(context.scope) } : {}),
    ...(context.runnerName ? { runnerName: context.runnerName } : {}),
  };
}
