import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCacheShell, type LocalCachePaths } from '../../sim/run-cache-shell.js';

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'mgr-cache-'));
}

/** One runner's paths: its own cache dir and library file, the shared stand-in volume. */
function runner(root: string, volume: string, name: string): LocalCachePaths {
  return { volume, cacheDir: join(root, name, 'cache'), libFile: join(root, `${name}.sh`) };
}

/** Writes `count` files named `<prefix>-<n>` (plus a shared name) into the cache, as a job would. */
const fill = (prefix: string, count: number) =>
  `i=0; while [ $i -lt ${count} ]; do mkdir -p "$MGR_CACHE_DIR/npm"; ` +
  `head -c 2048 /dev/urandom > "$MGR_CACHE_DIR/npm/${prefix}-$i"; i=$((i+1)); done; ` +
  `echo ${prefix} > "$MGR_CACHE_DIR/npm/shared-index"`;

async function generations(volume: string): Promise<string[]> {
  return (await readdir(join(volume, 'gens'))).sort();
}

/** Checks one published generation: complete, and every file from the one writer it names. */
async function expectWholeGeneration(volume: string, gen: string, count: number): Promise<string> {
  const dir = join(volume, 'gens', gen);
  const [files, bytes] = (await readFile(join(dir, '.complete'), 'utf8')).trim().split(' ');
  const names = await readdir(join(dir, 'data', 'npm'));
  expect(names).toHaveLength(count + 1);
  expect(Number(files)).toBe(count + 1);
  expect(Number(bytes)).toBeGreaterThan(0);
  const owner = (await readFile(join(dir, 'data', 'npm', 'shared-index'), 'utf8')).trim();
  expect(names.filter((n) => n !== 'shared-index').every((n) => n.startsWith(`${owner}-`))).toBe(
    true,
  );
  return owner;
}

describe('cache shell fragments (run under sh against a temporary volume)', () => {
  it('restores nothing on an empty volume, publishes, and a later runner restores that generation', async () => {
    const root = await scratch();
    const volume = join(root, 'volume');
    try {
      const first = runner(root, volume, 'a');
      const cold = await runCacheShell(
        first,
        `mgr_cache_boot && ${fill('a', 5)} && mgr_cache_publish`,
        { MGR_CACHE_WRITER: 'runner-a' },
      );
      expect(cold.code).toBe(0);
      expect(cold.stderr).toContain('no generation yet; starting cold');
      expect(cold.stderr).toMatch(/published g-\d+-\d+-runner-a-\d+ \(6 files/);
      const [gen] = await generations(volume);
      expect(await expectWholeGeneration(volume, gen ?? '', 5)).toBe('a');

      const second = runner(root, volume, 'b');
      const warm = await runCacheShell(second, 'mgr_cache_boot && mgr_cache_publish', {
        MGR_CACHE_WRITER: 'runner-b',
      });
      expect(warm.code).toBe(0);
      expect(warm.stderr).toContain(`restored ${gen}`);
      // Nothing changed since the restore: no new generation.
      expect(warm.stderr).toContain('no file added or removed since restore');
      expect(await generations(volume)).toEqual([gen]);
      expect((await readdir(join(second.cacheDir, 'npm'))).length).toBe(6);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('two runners publishing at once each publish one whole generation, and a restore gets exactly one of them', async () => {
    const root = await scratch();
    const volume = join(root, 'volume');
    try {
      const count = 300;
      const writers = ['a', 'b'].map((name) =>
        runCacheShell(
          runner(root, volume, name),
          `mgr_cache_boot && ${fill(name, count)} && mgr_cache_publish`,
          { MGR_CACHE_WRITER: `runner-${name}` },
        ),
      );
      // A third runner restores over and over while the two publish: it must never see a
      // generation that is not whole.
      const reader = runner(root, volume, 'reader');
      const readerRuns = (async () => {
        const seen: number[] = [];
        for (let i = 0; i < 15; i++) {
          await rm(reader.cacheDir, { recursive: true, force: true });
          const r = await runCacheShell(reader, 'mgr_cache_restore && mgr_cache_files');
          seen.push(Number(r.stdout.trim()));
        }
        return seen;
      })();
      const results = await Promise.all(writers);
      for (const r of results) expect(r.code).toBe(0);
      for (const n of await readerRuns) expect([0, count + 1]).toContain(n);

      const gens = await generations(volume);
      // No half-written directory is left, and each writer published its own generation.
      expect(gens.filter((g) => g.startsWith('.tmp-'))).toEqual([]);
      expect(gens).toHaveLength(2);
      const owners = await Promise.all(gens.map((g) => expectWholeGeneration(volume, g, count)));
      expect(owners.sort()).toEqual(['a', 'b']);

      // The published cache a new runner gets is one complete generation: the newest.
      const fresh = runner(root, volume, 'fresh');
      const restored = await runCacheShell(fresh, 'mgr_cache_restore');
      expect(restored.code).toBe(0);
      const names = await readdir(join(fresh.cacheDir, 'npm'));
      expect(names).toHaveLength(count + 1);
      const owner = (await readFile(join(fresh.cacheDir, 'npm', 'shared-index'), 'utf8')).trim();
      expect(
        names.filter((n) => n !== 'shared-index').every((n) => n.startsWith(`${owner}-`)),
      ).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('skips a generation without its .complete marker (a writer that died) and one over the cap', async () => {
    const root = await scratch();
    const volume = join(root, 'volume');
    try {
      const a = runner(root, volume, 'a');
      await runCacheShell(a, `mgr_cache_boot && ${fill('a', 3)} && mgr_cache_publish`, {
        MGR_CACHE_WRITER: 'runner-a',
      });
      const [good] = await generations(volume);
      // A newer generation whose writer died before finishing it.
      await runCacheShell(
        a,
        'mkdir -p "$MGR_CACHE_VOLUME/gens/g-9999999999-1-dead/data/npm" && ' +
          'echo x > "$MGR_CACHE_VOLUME/gens/g-9999999999-1-dead/data/npm/partial"',
      );
      const b = runner(root, volume, 'b');
      const restored = await runCacheShell(b, 'mgr_cache_restore');
      expect(restored.stderr).toContain(`restored ${good}`);
      expect(await readdir(join(b.cacheDir, 'npm'))).not.toContain('partial');

      const over = await runCacheShell(b, `${fill('b', 3)} && mgr_cache_publish`, {
        MGR_CACHE_MAX_BYTES: '1024',
      });
      expect(over.stderr).toMatch(/over the class's cap of 1024; not published/);
      expect((await generations(volume)).length).toBe(2);
      expect((await stat(join(volume, 'gens', good ?? ''))).isDirectory()).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
