import { randomBytes } from 'node:crypto';

/** Every runner and sandbox this app makes is named `modal-<class>-<random>`. */
export const RUNNER_NAME_PREFIX = 'modal-';

/** A fresh runner name, unique and shorter than 64 characters (class names are ≤ 32). */
export function newRunnerName(runnerClass: string): string {
  return `${RUNNER_NAME_PREFIX}${runnerClass}-${randomBytes(6).toString('hex')}`;
}
