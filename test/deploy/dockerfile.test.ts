import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

const dockerfile = readFileSync('Dockerfile', 'utf8');
/** Instructions, with continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));
const argDefaults = new Map(
  instructions
    .map((line) => /^ARG (\w+)=(\S+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] as string, m[2] as string]),
);
const stages = instructions
  .map((line) => /^FROM (\S+)/.exec(line)?.[1])
  .filter(Boolean) as string[];
const stage = (index: number) => {
  const starts = instructions.flatMap((line, i) => (line.startsWith('FROM ') ? [i] : []));
  return instructions.slice(starts[index], starts[index + 1]);
};

describe('the Dockerfile', () => {
  it('builds and runs on one base image pinned by digest', () => {
    expect(stages).toHaveLength(2);
    for (const from of stages) {
      const image = from.replace(
        /^\$\{(\w+)\}$/,
        (_, name: string) => argDefaults.get(name) ?? from,
      );
      expect(image).toMatch(/^node:[\w.-]+@sha256:[0-9a-f]{64}$/);
    }
    expect(new Set(stages).size).toBe(1);
  });

  it('installs with no install scripts, then rebuilds only better-sqlite3', () => {
    const installs = stage(0).filter((line) => /\bnpm (ci|install|rebuild|prune)\b/.test(line));
    expect(installs.join('\n')).toMatch(/npm ci --ignore-scripts && npm rebuild better-sqlite3$/m);
    for (const line of installs) {
      for (const command of line.match(/npm (ci|install|prune)[^&]*/g) ?? []) {
        expect(command).toContain('--ignore-scripts');
      }
    }
  });

  it("leaves the app's files to root, read-only to the runtime user, who may write only /app/data", () => {
    const runtime = stage(1);
    const copies = runtime.filter((line) => line.startsWith('COPY '));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy).not.toContain('--chown');
    const run = runtime.filter((line) => line.startsWith('RUN ')).join(' ');
    expect(run).toContain(
      'chmod -R a-w,a+rX /app/node_modules /app/dist /app/package.json /app/app.yml',
    );
    expect(run).toContain('chown node:node /app/data');
    expect(runtime.filter((line) => line.startsWith('USER '))).toEqual(['USER node']);
    // The user switch comes after every file is in place.
    expect(runtime.findIndex((line) => line.startsWith('USER '))).toBeGreaterThan(
      Math.max(...runtime.flatMap((line, i) => (/^(COPY|RUN) /.test(line) ? [i] : []))),
    );
  });

  it('checks health on /healthz at 127.0.0.1, which the setup page also serves', () => {
    expect(instructions.find((line) => line.startsWith('HEALTHCHECK'))).toContain(
      "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz')",
    );
  });
});
