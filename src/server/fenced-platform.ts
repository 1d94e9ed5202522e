import { LeadershipLostError } from '../domain/leadership-lost.js';
import type { SandboxPlatform } from '../ports/sandbox-platform.js';

/**
 * The sandbox platform of one leader term: a sandbox is created only while the term still
 * trusts its lease, checked immediately before the call leaves. Modal knows nothing of epochs,
 * so this, not the database, is what keeps a leader that was paused past its lease from
 * creating a sandbox beside its successor's. Terminating, delivering configs and watching stay
 * open: they never add a sandbox, and undoing a launch needs them.
 */
export function fencedPlatform(
  platform: SandboxPlatform,
  epoch: number,
  holds: () => boolean,
): SandboxPlatform {
  return {
    ...platform,
    createSandbox(spec) {
      if (!holds()) {
        return Promise.reject(
          new LeadershipLostError(
            `not leader any more (the lease of epoch ${epoch} ran out); sandbox ${spec.name} was not created`,
          ),
        );
      }
      return platform.createSandbox(spec);
    },
  };
}
