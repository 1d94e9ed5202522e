import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import { formatDoctorReport } from '../doctor/check-result.js';
import type { DoctorGitHub } from '../doctor/doctor-github.js';
import { createProbotDoctorGitHub } from '../doctor/probot-doctor-github.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { createModalClient } from '../modal/modal-client.js';
import { loadEnvFile } from './load-env-file.js';

export interface DoctorCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (path: string) => string;
  readonly github: (config: Config) => DoctorGitHub;
  readonly modalClient: (config: Config) => ModalClient;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Colour the statuses (only for a terminal). */
  readonly color?: boolean;
  readonly now?: () => number;
}

const HELP = `Usage: modal-github-runner doctor [--skip-images]

Checks, with the same environment (and .env) as the server:
  - the configuration parses (without App credentials: how to register the App);
  - the GitHub App: its JWT (APP_ID, PRIVATE_KEY), the workflow_job event and its permissions;
  - its webhook: URL, path (WEBHOOK_PATH), secret and content type;
  - each installation (organization, permissions);
  - the runner group RUNNER_GROUP_ID: it exists, and admits no repository the App refuses
    (public ones while ALLOW_PUBLIC_REPOS=false, others outside ALLOWED_REPOS);
  - RUNNER_VERSION and the classes' images against the newest runner release: latest must
    resolve; a pinned version warns once 20 days behind a newer release (GitHub's limit: 30);
  - Modal: the credentials reach MODAL_APP_NAME, every runner image builds, the GPU types;
  - with DATABASE_URL: PostgreSQL answers, its schema is current, and which replica leads.

Prints PASS, WARN, FAIL, SKIP or INFO per check and, for every WARN and FAIL, the fix.
Exit code 0 when nothing failed (warnings are fine), 1 otherwise, 2 for usage errors.

  --skip-images   do not build the runner images on Modal (the first build takes minutes)
`;

const quietLogger = { level: 'warn', debug() {}, info() {}, warn() {}, error() {} };

function defaultDeps(): DoctorCommandDeps {
  loadEnvFile();
  return {
    env: process.env,
    readFile: (path) => readFileSync(path, 'utf8'),
    github: createProbotDoctorGitHub,
    modalClient: () => createModalClient({ logger: quietLogger }),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
  };
}

/** `modal-github-runner doctor`: exit code 0 when nothing failed. */
export async function doctorCommand(
  args: readonly string[],
  deps: DoctorCommandDeps = defaultDeps(),
): Promise<number> {
  let skipImages: boolean;
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        'skip-images': { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      deps.out(HELP);
      return 0;
    }
    skipImages = values['skip-images'];
  } catch (error) {
    deps.err(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  const report = await runDoctor({
    env: deps.env,
    github: deps.github,
    modalClient: deps.modalClient,
    skipImages,
    onImageStart: (tag, classes) =>
      deps.err(
        `doctor: building ${tag} (${classes.join(', ')}) on Modal; a first build takes minutes…\n`,
      ),
    ...(deps.readFile ? { readFile: deps.readFile } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  deps.out(formatDoctorReport(report.results, { color: deps.color ?? false }));
  return report.exitCode;
}
