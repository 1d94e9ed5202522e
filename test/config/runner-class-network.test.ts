import { describe, expect, it } from '@jest/globals';
import { dockerModeOf, isCidr, isDomain } from '../../src/config/runner-class-network.js';
import { parseRunnerClasses } from '../../src/config/runner-classes.js';

function errorOf(classes: Record<string, unknown>): string {
  try {
    parseRunnerClasses(JSON.stringify(classes));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(classes)} to be refused`);
}

describe('RUNNER_CLASSES docker', () => {
  it.each<[boolean | 'vm' | 'experimental', string | undefined]>([
    [true, 'vm'],
    ['vm', 'vm'],
    ['experimental', 'experimental'],
    [false, undefined],
  ])('docker: %j runs Docker with %j', (docker, mode) => {
    const cls = parseRunnerClasses(JSON.stringify({ 'modal-docker': { docker } })).get(
      'modal-docker',
    );
    expect(cls?.docker).toBe(docker);
    expect(dockerModeOf(cls ?? {})).toBe(mode);
  });

  it('no docker by default', () => {
    expect(dockerModeOf(parseRunnerClasses('{"modal":{}}').get('modal') ?? {})).toBeUndefined();
  });

  it('refuses another value, naming the class and the choices', () => {
    expect(errorOf({ 'modal-docker': { docker: 'dind' } })).toContain(
      'modal-docker.docker: must be true, false, "vm" (Modal\'s VM runtime) or "experimental" (gVisor with enable_docker)',
    );
  });

  it('refuses docker with a GPU, saying what to do', () => {
    const message = errorOf({ 'modal-gpu': { gpu: 'T4', docker: true } });
    expect(message).toContain('modal-gpu.docker: cannot be combined with "gpu"');
    expect(message).toContain('drop "docker" or "gpu", or make two classes');
    expect(errorOf({ g: { gpu: 'H100', docker: 'experimental' } })).toContain(
      'g.docker: cannot be combined with "gpu": Modal documents Docker (enable_docker)',
    );
  });
});

describe('RUNNER_CLASSES egress', () => {
  it('takes "open", "github" with egressAllow, and lists of hosts and CIDRs', () => {
    const classes = parseRunnerClasses(
      JSON.stringify({
        a: { egress: 'open' },
        b: { egress: 'github', egressAllow: ['registry.npmjs.org', '*.pythonhosted.org'] },
        c: { egress: ['pypi.org', '10.0.0.0/8', '2001:db8::/32', '203.0.113.7/32'] },
        d: { egress: [] },
      }),
    );
    expect(classes.get('b')?.egressAllow).toEqual(['registry.npmjs.org', '*.pythonhosted.org']);
    expect(classes.get('c')?.egress).toEqual([
      'pypi.org',
      '10.0.0.0/8',
      '2001:db8::/32',
      '203.0.113.7/32',
    ]);
    expect(classes.get('d')?.egress).toEqual([]);
  });

  it.each([
    ['closed', 'x.egress: must be "open", "github" or a list of host names and CIDRs'],
    [['https://pypi.org'], 'x.egress.0: "https://pypi.org" is neither a host name'],
    [['203.0.113.7'], 'a bare IP address needs "/32"'],
    [['10.0.0.0/33'], '"10.0.0.0/33" is neither a host name'],
    [['*'], '"*" is neither a host name'],
    [['pypi.org', 'a..b'], 'x.egress.1: "a..b"'],
  ])('refuses egress %j', (egress, message) => {
    expect(errorOf({ x: { egress } })).toContain(message);
  });

  it('refuses egressAllow without egress "github", saying where the hosts go', () => {
    expect(
      errorOf({ x: { egress: ['pypi.org'], egressAllow: ['files.pythonhosted.org'] } }),
    ).toContain(
      'x.egressAllow: egressAllow only applies with "egress": "github"; with a list, put the hosts in "egress" itself',
    );
    expect(errorOf({ x: { egress: 'github', egressAllow: ['no spaces.org'] } })).toContain(
      'x.egressAllow.0: "no spaces.org" is neither a host name',
    );
  });
});

describe('isDomain / isCidr', () => {
  it.each(['github.com', '*.actions.githubusercontent.com', 'a-b.c0.io', 'GHCR.IO'])(
    '%s is a domain',
    (d) => expect(isDomain(d)).toBe(true),
  );
  it.each(['', '*', '*.com.', '-a.com', 'a_b.com', 'github', '1.2.3.4/8', 'a.*.com'])(
    '%j is not a domain',
    (d) => expect(isDomain(d)).toBe(false),
  );
  it.each(['0.0.0.0/0', '10.0.0.0/8', '::/0', 'fd00::/8'])('%s is a CIDR', (c) =>
    expect(isCidr(c)).toBe(true),
  );
  it.each(['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', '::/129', 'x/8', '10.0.0.0/08a'])(
    '%j is not a CIDR',
    (c) => expect(isCidr(c)).toBe(false),
  );
});
