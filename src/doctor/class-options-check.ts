import { randomBytes } from 'node:crypto';
import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import type { RunnerClass } from '../config/runner-class.js';
import { dockerModeOf } from '../config/runner-class-network.js';
import { translateModalError, type ModalError } from '../modal/modal-error.js';
import { classSandboxParams } from '../modal/sandbox-class-params.js';
import { result, type CheckResult } from './check-result.js';
import type { DoctorCheck } from './doctor-context.js';

/** A small public image: the probe tests the options, not the runner image. */
export const PROBE_IMAGE = 'alpine:3.21';

/** The probe's lifetime: it is terminated at once, this only bounds a probe left behind. */
export const PROBE_TIMEOUT_MS = 60_000;

/** What a class asks of Modal beyond a plain sandbox, as the doctor names it. */
export function classOptionsOf(cls: RunnerClass): string[] {
  const options: string[] = [];
  const docker = dockerModeOf(cls);
  if (docker === 'vm') options.push('the VM runtime (runtime: "vm")');
  if (docker === 'experimental')
    options.push('Docker in gVisor (experimental option enable_docker)');
  if (cls.egress !== undefined && cls.egress !== 'open') {
    options.push(
      Array.isArray(cls.egress) && cls.egress.length === 0
        ? 'a sandbox without network (blockNetwork)'
        : 'an outbound allowlist (outboundDomainAllowlist / outboundCidrAllowlist)',
    );
  }
  return options;
}

/** What to ask Modal for, per option the class uses. */
function askModalFor(cls: RunnerClass): string[] {
  const asks: string[] = [];
  const docker = dockerModeOf(cls);
  if (docker === 'vm') {
    asks.push(
      'ask Modal (support or your shared Slack channel) to allowlist the workspace for VM Sandboxes; meanwhile "docker": "experimental" may work',
    );
  }
  if (docker === 'experimental') {
    asks.push(
      'ask Modal to enable Docker in Sandboxes (enable_docker) for the workspace, or use "docker": true (the VM runtime) if the workspace has it',
    );
  }
  if (cls.egress !== undefined && cls.egress !== 'open') {
    asks.push(
      'ask Modal to enable outbound network allowlists for Sandboxes in the workspace, or set "egress": "open"',
    );
  }
  return asks;
}

/** The verdict on one class's probe: created (the workspace accepts it), or Modal's refusal. */
export function judgeClassProbe(
  cls: RunnerClass,
  outcome:
    | { readonly ok: true; readonly terminateError?: ModalError }
    | { readonly ok: false; readonly error: ModalError },
): CheckResult {
  const options = classOptionsOf(cls).join(' and ');
  const name = `class ${cls.name}`;
  if (outcome.ok) {
    return result.pass('Modal', name, `the workspace accepts ${options}`, {
      ...(outcome.terminateError
        ? {
            details: [
              `the probe sandbox could not be terminated (${outcome.terminateError.code}); it ends within a minute`,
            ],
          }
        : {}),
    });
  }
  const { error } = outcome;
  if (error.retryable) {
    return result.warn(
      'Modal',
      name,
      `could not try ${options}: Modal is unavailable (${error.code})`,
      {
        details: [error.message],
        fix: 'run the doctor again in a minute',
      },
    );
  }
  return result.fail('Modal', name, `Modal refused ${options} (${error.code})`, {
    details: [error.message],
    fix: `${askModalFor(cls).join('; ')}. Until then jobs of ${cls.name} cannot start.`,
  });
}

async function probeClass(
  client: ModalClient,
  config: Config,
  cls: RunnerClass,
): Promise<CheckResult> {
  const environment = config.modal.environment;
  const context = {
    appName: config.modal.appName,
    runnerClass: cls.name,
    ...(environment ? { environment } : {}),
  };
  try {
    const app = await client.apps.fromName(config.modal.appName, {
      createIfMissing: true,
      ...(environment ? { environment } : {}),
    });
    const { command: _runner, ...options } = classSandboxParams(cls);
    const sandbox = await client.sandboxes.create(app, client.images.fromRegistry(PROBE_IMAGE), {
      ...options,
      name: `doctor-${cls.name}-${randomBytes(4).toString('hex')}`,
      cpu: 0.125,
      memoryMiB: 256,
      timeoutMs: PROBE_TIMEOUT_MS,
      command: ['sleep', '60'],
    });
    try {
      await sandbox.terminate();
      return judgeClassProbe(cls, { ok: true });
    } catch (error) {
      return judgeClassProbe(cls, {
        ok: true,
        terminateError: translateModalError('terminate', error, context),
      });
    } finally {
      sandbox.detach();
    }
  } catch (error) {
    return judgeClassProbe(cls, {
      ok: false,
      error: translateModalError('create-sandbox', error, context),
    });
  }
}

/**
 * The runner classes with Docker or a restricted egress: for each, one tiny sandbox with the
 * same options is created and terminated at once, so a workspace that lacks one of them is
 * found before a job waits on it.
 */
export const classOptionsCheck: DoctorCheck = {
  topic: 'runner class options',
  section: 'Modal',
  lane: 'modal',
  async run(ctx) {
    const classes = [...ctx.config.runners.classes.values()].filter(
      (c) => classOptionsOf(c).length > 0,
    );
    if (classes.length === 0) return [];
    let client: ModalClient;
    try {
      client = ctx.modalClient(ctx.config);
    } catch {
      return [
        result.skip(
          'Modal',
          'runner class options',
          'skipped: the Modal client could not start (see above)',
        ),
      ];
    }
    try {
      const results: CheckResult[] = [];
      for (const cls of classes) results.push(await probeClass(client, ctx.config, cls));
      return results;
    } finally {
      client.close();
    }
  },
};
