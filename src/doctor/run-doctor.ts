import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import { appCheck } from './app-check.js';
import { cacheCheck } from './cache-check.js';
import { doctorExitCode, result, type CheckResult } from './check-result.js';
import { classOptionsCheck } from './class-options-check.js';
import { checkConfiguration } from './config-check.js';
import { databaseCheck } from './database-check.js';
import type { DoctorCheck, DoctorContext } from './doctor-context.js';
import type { DoctorGitHub } from './doctor-github.js';
import { gpuCheck } from './gpu-check.js';
import { installationsCheck } from './installations-check.js';
import { modalCheck } from './modal-check.js';
import { redactResult, secretsOf } from './redact.js';
import { runnerGroupCheck } from './runner-group-check.js';
import { runnerVersionCheck } from './runner-version-check.js';
import { webhookCheck } from './webhook-check.js';

/**
 * The checks after the configuration, in report order. GitHub's run one after another (each
 * reads what the ones before it learned: the App, its installations); Modal's and the
 * database's beside them.
 */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  appCheck,
  webhookCheck,
  installationsCheck,
  runnerGroupCheck,
  runnerVersionCheck,
  modalCheck,
  gpuCheck,
  cacheCheck,
  classOptionsCheck,
  databaseCheck,
];

export interface DoctorDeps {
  /** The environment, `.env` already loaded. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads PRIVATE_KEY_PATH. */
  readonly readFile?: (path: string) => string;
  /** GitHub as the App sees it (Probot's auth in production, see probot-doctor-github.ts). */
  readonly github: (config: Config) => DoctorGitHub;
  /** The Modal client; closed by the doctor when done. */
  readonly modalClient: (config: Config) => ModalClient;
  readonly now?: () => number;
  /** Do not build the runner images. */
  readonly skipImages?: boolean;
  readonly onImageStart?: (tag: string, classes: readonly string[]) => void;
}

export interface DoctorReport {
  readonly results: readonly CheckResult[];
  /** 0 when nothing failed, 1 otherwise. */
  readonly exitCode: number;
}

/**
 * Runs the configuration check, then every check of DOCTOR_CHECKS. Never throws for a failed
 * check; every result is cleaned of the configured secrets.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const secrets = secretsOf(deps.env);
  const { config, results } = checkConfiguration(deps.env, deps.readFile);
  if (config === undefined) {
    for (const check of DOCTOR_CHECKS) {
      results.push(result.skip(check.section, check.topic, 'skipped: needs a valid configuration'));
    }
  } else {
    for (const value of [config.github.privateKey, config.github.webhookSecret]) secrets.add(value);
    const ctx: DoctorContext = {
      config,
      github: deps.github(config),
      modalClient: deps.modalClient,
      proxyUrl: deps.env.WEBHOOK_PROXY_URL || undefined,
      now: deps.now ?? Date.now,
      skipImages: deps.skipImages ?? false,
      ...(deps.onImageStart ? { onImageStart: deps.onImageStart } : {}),
      facts: {},
    };
    results.push(...(await runChecks(ctx)));
  }
  const clean = results.map((r) => redactResult(r, secrets));
  return { results: clean, exitCode: doctorExitCode(clean) };
}

/** Each lane's checks in order, the lanes side by side; the results in DOCTOR_CHECKS order. */
async function runChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const found = new Map<DoctorCheck, CheckResult[]>();
  const lane = async (name: DoctorCheck['lane']) => {
    for (const check of DOCTOR_CHECKS.filter((c) => c.lane === name)) {
      found.set(check, await check.run(ctx));
    }
  };
  await Promise.all([lane('github'), lane('modal'), lane('database')]);
  return DOCTOR_CHECKS.flatMap((check) => found.get(check) ?? []);
}
