import { createHash, randomBytes } from 'node:crypto';

/**
 * Runner (and sandbox) names: `<class>-<deployment tag>-<random>`, for example
 * `modal-3f9a2c-8e1f2a9b3c`. The deployment tag is six hex digits derived from the deployment's
 * identity, so that two deployments on one organization or one Modal environment can tell their
 * runners apart; the name stays under GitHub's and Modal's 64 characters (class names are ≤ 32).
 */
const RANDOM_HEX = 10;

/** The six hex digits that mark a deployment's runner names. */
export function deploymentTag(deploymentId: string): string {
  return createHash('sha256').update(deploymentId).digest('hex').slice(0, 6);
}

/** A fresh, unique runner name for the class, carrying the deployment's tag. */
export function newRunnerName(runnerClass: string, tag: string): string {
  return `${runnerClass}-${tag}-${randomBytes(RANDOM_HEX / 2).toString('hex')}`;
}

/** Whether a runner name was made by `newRunnerName` with this deployment's tag. */
export function isRunnerNameOf(name: string, tag: string): boolean {
  const suffix = `-${tag}-`;
  const at = name.length - RANDOM_HEX - suffix.length;
  return (
    at > 0 &&
    name.slice(at, at + suffix.length) === suffix &&
    /^[0-9a-f]+$/.test(name.slice(at + suffix.length))
  );
}
