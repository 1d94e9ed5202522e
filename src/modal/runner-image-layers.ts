import type { RunnerClass } from '../config/runner-class.js';
import { dockerModeOf } from '../config/runner-class-network.js';

/**
 * Dockerfile commands Modal adds on top of a class's image. The official runner image ships
 * dockerd, containerd and runc but not iptables, which dockerd needs for its bridge network
 * (containers' outbound NAT, `services:` talking to each other): a Docker class on the official
 * image gets it installed once, at image build. The image then starts as root (dockerd needs
 * it); the entrypoint starts the runner as `runner`. A class with its own `image` gets nothing:
 * its image must bring iptables itself (DEPLOY.md says so).
 */
export function runnerImageLayers(cls: Pick<RunnerClass, 'docker' | 'image'>): string[] {
  if (dockerModeOf(cls) === undefined || cls.image !== undefined) return [];
  return [...DOCKER_LAYERS];
}

const DOCKER_LAYERS: readonly string[] = [
  'USER root',
  'RUN apt-get update && apt-get install -y --no-install-recommends iptables && rm -rf /var/lib/apt/lists/*',
];

/**
 * The name of a class's image among those built (and in `image build`'s output): its tag, and
 * what its layers add when it has some.
 */
export function runnerImageKey(tag: string, layers: readonly string[]): string {
  if (layers.length === 0) return tag;
  const known =
    layers.length === DOCKER_LAYERS.length && layers.every((l, i) => l === DOCKER_LAYERS[i]);
  return `${tag} + ${known ? 'iptables for Docker' : layers.join(' && ')}`;
}
