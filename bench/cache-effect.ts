/**
 * `npm run bench:cache`: the warm cache's effect, for real. Runs the cache's own shell fragments
 * (src/cache/cache-script.ts, under sh) around a real `npm install` from the npm registry, as a
 * cached class's runners would: each run is a fresh "sandbox" (the project's package.json and
 * package-lock.json, an empty local cache directory) against one directory standing in for the
 * Modal Volume, and runs `npm ci` as a CI job does. The first run starts cold and publishes; the
 * later ones restore that generation first. The lockfile is made once beforehand, untimed, with
 * a throwaway cache. Prints the times; the numbers in DEPLOY.md ("Warm caches") come from it.
 *
 *   npm run bench:cache                    # 1 cold run, 3 warm runs
 *   npm run bench:cache -- --warm 5
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { CACHE_DIR, CACHE_ENV } from '../src/cache/cache-volume.js';
import { runCacheShell, type LocalCachePaths } from '../sim/run-cache-shell.js';
import { nowMs } from './now-ms.js';

const run = promisify(execFile);

/** A typical small service's dependencies: about 100 packages once resolved. */
const DEPENDENCIES = {
  express: '4.21.2',
  lodash: '4.17.21',
  zod: '3.23.8',
  commander: '12.1.0',
  pino: '9.5.0',
  dayjs: '1.11.13',
};

interface RunTimes {
  readonly restoreMs: number;
  readonly installMs: number;
  readonly publishMs: number;
  readonly published: string;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const start = nowMs();
  const value = await f();
  return [value, nowMs() - start];
}

const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** The project every run installs: package.json and its lockfile, resolved once (untimed). */
async function makeProject(root: string): Promise<string> {
  const dir = join(root, 'template');
  await mkdir(dir, { recursive: true });
  const pkg = { name: 'cache-bench', version: '1.0.0', private: true, dependencies: DEPENDENCIES };
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg));
  await run('npm', ['install', '--package-lock-only', ...NPM_QUIET], {
    cwd: dir,
    env: { ...process.env, npm_config_cache: join(root, 'throwaway-npm-cache') },
  });
  return dir;
}

/** One series: its own stand-in volume, `npm ci` with these extra flags. */
interface Series {
  readonly name: string;
  readonly flags: readonly string[];
}

/** One runner: restore, `npm ci` with the cache environment, publish. */
async function oneRun(
  root: string,
  template: string,
  series: Series,
  index: number,
): Promise<RunTimes> {
  const dir = join(root, series.name, `run-${index}`);
  const project = join(dir, 'project');
  await mkdir(project, { recursive: true });
  const paths: LocalCachePaths = {
    volume: join(root, series.name, 'volume'),
    cacheDir: join(dir, 'cache'),
    libFile: join(dir, 'lib.sh'),
  };
  for (const file of ['package.json', 'package-lock.json']) {
    await copyFile(join(template, file), join(project, file));
  }
  const writer = { MGR_CACHE_WRITER: `bench-${index}` };
  const [restore, restoreMs] = await timed(() => runCacheShell(paths, 'mgr_cache_restore', writer));
  if (restore.code !== 0) throw new Error(`restore failed: ${restore.stderr}`);
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  for (const [key, value] of Object.entries(CACHE_ENV)) {
    env[key] = value.replace(CACHE_DIR, paths.cacheDir);
  }
  const [, installMs] = await timed(() =>
    run('npm', ['ci', ...series.flags, ...NPM_QUIET], { cwd: project, env }),
  );
  const [publish, publishMs] = await timed(() => runCacheShell(paths, 'mgr_cache_publish', writer));
  if (publish.code !== 0) throw new Error(`publish failed: ${publish.stderr}`);
  const published = /published (\S+ \(.*\))|nothing to publish/.exec(publish.stderr)?.[0] ?? '';
  return { restoreMs, installMs, publishMs, published };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { warm: { type: 'string', default: '3' } } });
  const warmRuns = Math.max(1, Number(values.warm));
  const root = await mkdtemp(join(tmpdir(), 'mgr-cache-bench-'));
  const template = await makeProject(root);
  const { stdout: npmVersion } = await run('npm', ['--version']);
  process.stdout.write(
    `cache effect: npm ${npmVersion.trim()}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ` +
      `${Math.round(totalmem() / 1024 ** 3)} GiB, ${new Date().toISOString()}\n` +
      `dependencies: ${Object.entries(DEPENDENCIES)
        .map(([n, v]) => `${n}@${v}`)
        .join(' ')}\n\n` +
      `| command | run | restore | npm ci | publish | total | published |\n|---|---|---|---|---|---|---|\n`,
  );
  const series: Series[] = [
    { name: 'ci', flags: [] },
    { name: 'ci-prefer-offline', flags: ['--prefer-offline'] },
  ];
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  try {
    for (const one of series) {
      for (let i = 0; i <= warmRuns; i++) {
        const t = await oneRun(root, template, one, i);
        process.stdout.write(
          `| \`npm ci ${one.flags.join(' ')}\` | ${i === 0 ? 'cold' : `warm ${i}`} | ${s(t.restoreMs)} | ` +
            `${s(t.installMs)} | ${s(t.publishMs)} | ${s(t.restoreMs + t.installMs + t.publishMs)} | ${t.published} |\n`,
        );
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
