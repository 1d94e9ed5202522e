import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import { translateGitHubError } from '../github/translate-github-error.js';
import type { UpstreamProbe } from '../http/upstream-health.js';
import { translateModalError } from '../modal/modal-error.js';

/**
 * How the app knows GitHub and Modal answer: GitHub accepts the App's JWT on `GET /app`, and
 * Modal finds (or makes) the App that owns the sandboxes. Their errors are translated, so what
 * `/status` shows says what to fix and carries no secret.
 */
export function upstreamProbes(deps: {
  /** An Octokit authenticated as the App (JWT). */
  readonly appOctokit: () => Promise<{ request(route: 'GET /app'): Promise<unknown> }>;
  readonly modalClient: ModalClient;
  readonly modal: Config['modal'];
}): Record<'github' | 'modal', UpstreamProbe> {
  return {
    github: async () => {
      try {
        await (await deps.appOctokit()).request('GET /app');
      } catch (error) {
        throw translateGitHubError('get-app', error);
      }
    },
    modal: async () => {
      try {
        await deps.modalClient.apps.fromName(deps.modal.appName, {
          createIfMissing: true,
          ...(deps.modal.environment ? { environment: deps.modal.environment } : {}),
        });
      } catch (error) {
        throw translateModalError('lookup-app', error);
      }
    },
  };
}
