import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import { buildRunnerImages, runnerImagesOf } from '../modal/build-runner-images.js';
import { translateModalError, type ModalError } from '../modal/modal-error.js';
import { DEFAULT_RUNNER_IMAGE_REPOSITORY } from '../modal/runner-image.js';
import { startingRunnerVersion } from '../runner-version/starting-runner-version.js';
import { result, type CheckResult } from './check-result.js';
import type { DoctorCheck } from './doctor-context.js';

export interface ModalChecksOptions {
  readonly client: ModalClient;
  readonly config: Config;
  /** Do not build the images (they may take minutes the first time). */
  readonly skipImages?: boolean;
  /** Called as each image starts building, for progress output. */
  readonly onImageStart?: (tag: string, classes: readonly string[]) => void;
  readonly now: () => number;
}

const TOKEN_FIX =
  'set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET to a valid token (`modal token new`, or the Modal dashboard → Settings → API Tokens), or mount ~/.modal.toml';

function appFix(error: ModalError, config: Config): string {
  if (error.code === 'UNAUTHENTICATED' || error.code === 'PERMISSION_DENIED') return TOKEN_FIX;
  if (/missing credentials/i.test(error.message)) return TOKEN_FIX;
  if (error.code === 'NOT_FOUND') {
    return `MODAL_ENVIRONMENT${config.modal.environment ? ` ('${config.modal.environment}')` : ''} must name an environment of the Modal workspace (\`modal environment list\`)`;
  }
  if (error.retryable) return 'Modal is unavailable right now: run the doctor again in a minute';
  return `check MODAL_TOKEN_ID / MODAL_TOKEN_SECRET, MODAL_ENVIRONMENT and MODAL_APP_NAME ('${config.modal.appName}')`;
}

/**
 * Modal: the credentials reach the App MODAL_APP_NAME (created if missing, as the server does),
 * and every runner image builds (through the same `buildRunnerImages` as
 * `modal-github-runner image build`). The client is made here and closed when done.
 */
export const modalCheck: DoctorCheck = {
  topic: 'Modal',
  section: 'Modal',
  lane: 'modal',
  async run(ctx) {
    let client: ModalClient;
    try {
      client = ctx.modalClient(ctx.config);
    } catch (error) {
      const failure = translateModalError('create-client', error);
      return [
        result.fail(
          'Modal',
          'credentials and App',
          `the Modal client could not start (${failure.code})`,
          {
            details: [failure.message],
            fix: 'set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (`modal token new`), and MODAL_SERVER_URL only when testing against a fake',
          },
        ),
      ];
    }
    try {
      return await runModalChecks({
        client,
        config: ctx.config,
        now: ctx.now,
        ...(ctx.skipImages ? { skipImages: true } : {}),
        ...(ctx.onImageStart ? { onImageStart: ctx.onImageStart } : {}),
      });
    } finally {
      client.close();
    }
  },
};

async function runModalChecks(options: ModalChecksOptions): Promise<CheckResult[]> {
  const app = await checkModalApp(options);
  return [app, ...(await checkImages(options, app.status === 'PASS'))];
}

/** The credentials reach the Modal App MODAL_APP_NAME (created if missing). */
async function checkModalApp({ client, config }: ModalChecksOptions): Promise<CheckResult> {
  const environment = config.modal.environment;
  try {
    const app = await client.apps.fromName(config.modal.appName, {
      createIfMissing: true,
      ...(environment ? { environment } : {}),
    });
    return result.pass(
      'Modal',
      'credentials and App',
      `Modal App "${config.modal.appName}" (${app.appId}) found or created${environment ? ` in environment ${environment}` : ''}`,
    );
  } catch (error) {
    const failure = translateModalError('lookup-app', error, {
      appName: config.modal.appName,
      ...(environment ? { environment } : {}),
    });
    return result.fail(
      'Modal',
      'credentials and App',
      `could not look up or create the Modal App "${config.modal.appName}" (${failure.code})`,
      { details: [failure.message], fix: appFix(failure, config) },
    );
  }
}

/** Every distinct runner image builds (skipped when Modal is unreachable or when asked). */
async function checkImages(options: ModalChecksOptions, appOk: boolean): Promise<CheckResult[]> {
  const { client, config } = options;
  const images = runnerImagesOf(
    config.runners.classes,
    startingRunnerVersion(config.runners.version),
  );
  if (!appOk || options.skipImages) {
    const why = appOk ? 'skipped (--skip-images)' : 'skipped: Modal is not reachable';
    return [...images].map(([tag, classes]) =>
      result.skip('Modal', `image ${tag}`, `for ${classes.join(', ')}; ${why}`),
    );
  }
  try {
    const builds = await buildRunnerImages({
      client,
      appName: config.modal.appName,
      environment: config.modal.environment,
      classes: config.runners.classes,
      runnerVersion: startingRunnerVersion(config.runners.version),
      now: options.now,
      ...(options.onImageStart ? { onStart: options.onImageStart } : {}),
    });
    return builds.map((build) => judgeBuild(build, config));
  } catch (error) {
    const failure = translateModalError('build-image', error);
    return [
      result.fail('Modal', 'images', `the images could not be built (${failure.code})`, {
        details: [failure.message],
        fix: appFix(failure, config),
      }),
    ];
  }
}

type ImageBuild = Awaited<ReturnType<typeof buildRunnerImages>>[number];

/** One image's build: PASS, or FAIL with the variable to change. Pure. */
function judgeBuild(build: ImageBuild, config: Config): CheckResult {
  const name = `image ${build.tag}`;
  const forClasses = `for ${build.classes.join(', ')}`;
  if (build.result.ok) {
    return result.pass(
      'Modal',
      name,
      `${forClasses}: built as ${build.result.imageId} in ${(build.result.ms / 1000).toFixed(1)} s`,
    );
  }
  const official = build.tag.startsWith(`${DEFAULT_RUNNER_IMAGE_REPOSITORY}:`);
  const version = startingRunnerVersion(config.runners.version);
  const isDefault = build.tag === `${DEFAULT_RUNNER_IMAGE_REPOSITORY}:${version}`;
  return result.fail(
    'Modal',
    name,
    `${forClasses}: the image did not build (${build.result.error.code})`,
    {
      details: [build.result.error.message],
      fix: build.result.error.retryable
        ? 'Modal cut the build short: run the doctor (or `modal-github-runner image build`) again'
        : isDefault
          ? `RUNNER_VERSION=${config.runners.version}${version === config.runners.version ? '' : ` (whose fallback is ${version})`} must be a published tag of ${DEFAULT_RUNNER_IMAGE_REPOSITORY} (https://github.com/actions/runner/releases)`
          : `set "image" of ${build.classes.join(', ')} in RUNNER_CLASSES to an image Modal can pull${official ? ' (a published runner version)' : ' (public, or with registry credentials Modal can use), based on the official runner image'}`,
    },
  );
}
