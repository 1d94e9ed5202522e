import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ENV_VARIABLES } from '../../src/config/env-schema.js';

const envExample = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const deploy = readFileSync(new URL('../../DEPLOY.md', import.meta.url), 'utf8');

/** `NAME=` or `# NAME=` lines of .env.example. */
const exampleVariables = new Set(
  [...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string),
);
/** First-column entries of the configuration reference table in DEPLOY.md. */
const reference = deploy.slice(deploy.indexOf('## Configuration reference'));
const tableVariables = new Set(
  [...reference.slice(0, reference.indexOf('\n## ', 5)).matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map(
    (m) => m[1] as string,
  ),
);

describe('every environment variable lives in the schema, .env.example and DEPLOY.md', () => {
  it('the schema knows a reasonable number of variables', () => {
    expect(ENV_VARIABLES.length).toBeGreaterThan(20);
  });
  it.each(ENV_VARIABLES.map((name) => [name]))(
    '%s is in .env.example and the DEPLOY.md table',
    (name) => {
      expect(exampleVariables.has(name)).toBe(true);
      expect(tableVariables.has(name)).toBe(true);
    },
  );
  it('.env.example and the DEPLOY.md table name nothing the schema does not read', () => {
    const known = new Set(ENV_VARIABLES);
    expect([...exampleVariables].filter((n) => !known.has(n))).toEqual([]);
    expect([...tableVariables].filter((n) => !known.has(n))).toEqual([]);
  });
});
