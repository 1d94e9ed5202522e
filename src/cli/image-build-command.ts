import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import { buildRunnerImages } from '../modal/build-runner-images.js';
import { createModalClient } from '../modal/modal-client.js';
import { configOrReport, readCommandArgs } from './command-input.js';
import { startingRunnerVersion } from '../runner-version/starting-runner-version.js';
import { loadEnvFile } from './load-env-file.js';

export interface ImageBuildDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Makes the Modal client once the configuration is known. */
  readonly modalClient: (config: Config) => ModalClient;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly now?: () => number;
}

const HELP = `Usage: modal-github-runner image build

Builds the image of every runner class (RUNNER_CLASSES, RUNNER_VERSION) on Modal, in the App
MODAL_APP_NAME, so that the first job of each class does not wait for the build. Run it after
changing RUNNER_VERSION or a class's image. Reads the same environment (or .env) as the server.
With RUNNER_VERSION=latest it builds the fallback version the server launches until it has
resolved the newest runner and built that image itself.
`;

const quietLogger = { level: 'warn', debug() {}, info() {}, warn() {}, error() {} };

/** `modal-github-runner image build`. Exit code 0 when every image built. */
export async function imageBuildCommand(
  args: readonly string[],
  deps: ImageBuildDeps = {
    env: (loadEnvFile(), process.env),
    modalClient: () => createModalClient({ logger: quietLogger }),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
): Promise<number> {
  const input = readCommandArgs(args, HELP, deps);
  if ('exit' in input) return input.exit;
  const config = configOrReport(deps.env, deps);
  if (!config) return 2;
  const client = deps.modalClient(config);
  try {
    deps.out(`Building runner images in Modal App "${config.modal.appName}"…\n`);
    const builds = await buildRunnerImages({
      client,
      appName: config.modal.appName,
      environment: config.modal.environment,
      classes: config.runners.classes,
      runnerVersion: startingRunnerVersion(config.runners.version),
      onStart: (tag, classes) => deps.out(`  ${tag} (${classes.join(', ')}) …\n`),
      ...(deps.now ? { now: deps.now } : {}),
    });
    for (const build of builds) {
      if (build.result.ok) {
        deps.out(
          `  built ${build.tag} as ${build.result.imageId} in ${(build.result.ms / 1000).toFixed(1)} s\n`,
        );
      } else {
        deps.err(`  FAILED ${build.tag}: ${build.result.error.message}\n`);
      }
    }
    const failed = builds.filter((b) => !b.result.ok).length;
    deps.out(
      failed === 0
        ? `All ${builds.length} image(s) built; the first job of each class starts without a build.\n`
        : `${failed} of ${builds.length} image(s) failed.\n`,
    );
    return failed === 0 ? 0 : 1;
  } catch (error) {
    deps.err(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    client.close();
  }
}
