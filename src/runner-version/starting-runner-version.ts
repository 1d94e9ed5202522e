import { RUNNER_VERSION_FLOOR } from '../config/env-schema.js';
import { versionInUse } from './runner-version-state.js';

/**
 * The version a process that does not follow the newest runner uses for RUNNER_VERSION: the
 * pinned one, or for `latest` the fallback the server launches before it resolved the newest
 * (`image build` builds it, the doctor checks it builds).
 */
export function startingRunnerVersion(setting: string): string {
  return versionInUse({ setting, floor: RUNNER_VERSION_FLOOR });
}
