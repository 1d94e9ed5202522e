import type { ModalClient } from 'modal';
import { modalCacheVolumeCalls } from '../modal/cache-volume-calls.js';
import { cacheVolumeName } from '../cache/cache-volume.js';
import type { Config } from '../config/config.js';
import { createModalClient } from '../modal/modal-client.js';
import { configOrReport, readCommandArgs } from './command-input.js';
import { loadEnvFile } from './load-env-file.js';

export interface CacheWipeDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Makes the Modal client once the configuration is known. */
  readonly modalClient: (config: Config) => ModalClient;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const HELP = `Usage: modal-github-runner cache wipe <class>

Removes every published generation (and every unfinished one) from the cache volume of runner
class <class>, so that the next runner starts cold and publishes a fresh cache. Runners already
running keep the copy they restored. The volume itself stays (the next launch would create it
again); delete it with \`modal volume delete <name>\` to stop paying for it entirely. Reads the
same environment (or .env) as the server.
`;

const quietLogger = { level: 'warn', debug() {}, info() {}, warn() {}, error() {} };

const defaultDeps = (): CacheWipeDeps => ({
  env: (loadEnvFile(), process.env),
  modalClient: () => createModalClient({ logger: quietLogger }),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});

/** `modal-github-runner cache wipe <class>`. Exit 0 when wiped, 1 on a Modal failure, 2 on usage. */
export async function cacheWipeCommand(
  args: readonly string[],
  deps: CacheWipeDeps = defaultDeps(),
): Promise<number> {
  const input = readCommandArgs(args, HELP, deps, { missing: 'name exactly one runner class' });
  if ('exit' in input) return input.exit;
  const className = input.value;
  const config = configOrReport(deps.env, deps);
  if (!config) return 2;
  const runnerClass = config.runners.classes.get(className);
  if (!runnerClass?.cache) {
    const cached = [...config.runners.classes.values()].filter((c) => c.cache).map((c) => c.name);
    deps.err(
      `runner class "${className}" has no cache; classes with one: ${cached.join(', ') || 'none'} (set "cache": true on a class in RUNNER_CLASSES)\n`,
    );
    return 2;
  }
  return wipe(deps, config, runnerClass.name);
}

async function wipe(deps: CacheWipeDeps, config: Config, className: string): Promise<number> {
  const client = deps.modalClient(config);
  const name = cacheVolumeName(config.deployment.id, className);
  try {
    const calls = modalCacheVolumeCalls(client, config.modal.environment);
    const volumeId = await calls.find(name);
    if (volumeId === undefined) {
      deps.out(`The cache volume ${name} of class ${className} does not exist: nothing to wipe.\n`);
      return 0;
    }
    const entries = await calls.listGenerations(volumeId);
    for (const entry of entries) await calls.removeGeneration(volumeId, entry.name);
    deps.out(
      `Wiped ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} from ${name} (class ${className}); the next runner starts cold.\n`,
    );
    return 0;
  } catch (error) {
    deps.err(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    client.close();
  }
}
