/** The `modal-github-runner` entry point as a user runs it: a child process. */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
};
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    // No .env of the checkout, no App: nothing may start a server.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
    timeout: 30_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('modal-github-runner', () => {
  it('--version and -v print the package version', () => {
    for (const flag of ['--version', '-v']) {
      expect(cli(flag)).toEqual({ code: 0, out: `modal-github-runner ${pkg.version}\n`, err: '' });
    }
  });

  it('--help lists every command and option', () => {
    const { code, out, err } = cli('--help');
    expect(err).toBe('');
    expect(code).toBe(0);
    for (const word of ['serve', 'doctor', 'status', 'image build', 'backup FILE', '--version']) {
      expect(out).toContain(word);
    }
  });

  it.each([
    [['serve', '--help'], 'Usage: modal-github-runner serve'],
    [['doctor', '--help'], 'Usage: modal-github-runner doctor'],
    [['status', '--help'], 'Usage: modal-github-runner status'],
    [['image', 'build', '--help'], 'Usage: modal-github-runner image build'],
    [['image', '--help'], 'Usage: modal-github-runner image build'],
    [['backup', '--help'], 'Usage: modal-github-runner backup FILE'],
  ])('%j prints its usage and exits 0', (args, usage) => {
    const { code, out } = cli(...args);
    expect(out.startsWith(usage)).toBe(true);
    expect(code).toBe(0);
  });

  it('an unknown command or a stray serve argument exits 2 with the usage', () => {
    expect(cli('launch')).toMatchObject({
      code: 2,
      err: expect.stringContaining('Unknown command: launch'),
    });
    expect(cli('serve', '--port', '1')).toMatchObject({
      code: 2,
      err: expect.stringContaining('Usage: modal-github-runner serve'),
    });
  });
});

describe('npm run build', () => {
  it('leaves dist/cli.js executable (postbuild), as the bin of the package', () => {
    expect(pkg.scripts.postbuild).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'postbuild-'));
    dirs.push(dir);
    copyFileSync('package.json', join(dir, 'package.json'));
    mkdirSync(join(dir, 'dist'));
    // tsc writes a new file 0644; postbuild must make it runnable again.
    writeFileSync(join(dir, 'dist', 'cli.js'), '#!/usr/bin/env node\n');
    chmodSync(join(dir, 'dist', 'cli.js'), 0o644);
    const run = spawnSync('npm', ['run', '--silent', 'postbuild'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(statSync(join(dir, 'dist', 'cli.js')).mode & 0o111).toBe(0o111);
  });
});
