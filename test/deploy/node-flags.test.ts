import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { SERVER_NODE_FLAGS } from '../../bench/server-process.js';

describe('the Node flags the server runs with', () => {
  it('are the same in the Dockerfile, `npm start` and the benchmark', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    const argv = JSON.parse(cmd ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(argv.slice(1, -2)).toEqual([...SERVER_NODE_FLAGS]);
    expect(argv.slice(-2)).toEqual(['dist/cli.js', 'serve']);

    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} dist/main.js`);
  });

  it('are flags this Node accepts, without a warning', () => {
    const run = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.exit(0)'], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const bogus = spawnSync(process.execPath, ['--heap-growing-percentage=20', '-e', '0'], {
      encoding: 'utf8',
    });
    // So that the check above could fail: a misspelt flag is reported.
    expect(bogus.status !== 0 || bogus.stderr !== '').toBe(true);
  });
});
