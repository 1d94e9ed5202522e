import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * How a class's sandboxes run a Docker daemon (see DEPLOY.md, "Docker in jobs"):
 * - `"vm"` (and `true`): Modal's VM runtime (`runtime: "vm"`), a real Linux kernel. Modal's
 *   recommended way to run Docker in a sandbox; restricted to allowlisted workspaces.
 * - `"experimental"`: gVisor with Modal's `enable_docker` experimental option (the older, alpha
 *   way; no VM runtime needed).
 */
export const DOCKER_MODES = ['vm', 'experimental'] as const;
export type DockerMode = (typeof DOCKER_MODES)[number];

/** `true` is `"vm"`, Modal's recommendation; `false` is the same as leaving it out. */
export const dockerSchema = z.union([z.boolean(), z.enum(DOCKER_MODES)], {
  error:
    'must be true, false, "vm" (Modal\'s VM runtime) or "experimental" (gVisor with enable_docker)',
});

/** A host name as Modal's domain allowlist takes it: letters, digits, hyphens, dots, an optional `*.` prefix. */
const domainPattern =
  /^(\*\.)?(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** `a.b.c.d/n` or `x:y::/n` with a prefix length that fits the address family. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

export function isDomain(value: string): boolean {
  return domainPattern.test(value);
}

/** One entry of an egress list: a host name (`*.` prefix allowed) or a CIDR. */
export const egressEntrySchema = z.string().refine((v) => isDomain(v) || isCidr(v), {
  error: (issue) =>
    `"${String(issue.input)}" is neither a host name (such as "registry.npmjs.org" or "*.pythonhosted.org") nor a CIDR (such as "10.0.0.0/8"); a bare IP address needs "/32"`,
});

/**
 * Where a class's sandboxes may connect:
 * - `"open"` (default): anywhere.
 * - `"github"`: the hosts GitHub publishes for Actions (`GET /meta`, `domains.actions`), plus
 *   the class's `egressAllow`.
 * - a list of host names and CIDRs: only those (an empty list blocks all network access, and
 *   the runner then cannot reach GitHub).
 */
export const egressSchema = z.union(
  [z.literal('open'), z.literal('github'), z.array(egressEntrySchema).max(1000)],
  { error: 'must be "open", "github" or a list of host names and CIDRs' },
);

export type Egress = z.infer<typeof egressSchema>;

/** The fields this module adds to a runner class, for runner-class.ts to spread in. */
export const networkFields = {
  /** Run a Docker daemon in the sandbox (see DockerMode). */
  docker: dockerSchema.optional(),
  /** Outbound network policy (default "open"). */
  egress: egressSchema.optional(),
  /** Extra hosts/CIDRs with `egress: "github"` (package registries and the like). */
  egressAllow: z.array(egressEntrySchema).max(1000).optional(),
};

interface NetworkShape {
  readonly gpu?: string | undefined;
  readonly docker?: boolean | DockerMode | undefined;
  readonly egress?: Egress | undefined;
  readonly egressAllow?: readonly string[] | undefined;
}

/** The class's Docker mode, or undefined without Docker. */
export function dockerModeOf(cls: Pick<NetworkShape, 'docker'>): DockerMode | undefined {
  if (cls.docker === undefined || cls.docker === false) return undefined;
  return cls.docker === true ? 'vm' : cls.docker;
}

/** Cross-field rules, reported on the field to change and saying how. */
export function checkNetworkFields(cls: NetworkShape, ctx: z.RefinementCtx): void {
  if (cls.egressAllow !== undefined && cls.egress !== 'github') {
    ctx.addIssue({
      code: 'custom',
      path: ['egressAllow'],
      message:
        'egressAllow only applies with "egress": "github"; with a list, put the hosts in "egress" itself',
    });
  }
  const mode = dockerModeOf(cls);
  if (mode !== undefined && cls.gpu !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['docker'],
      message: `cannot be combined with "gpu": Modal documents Docker (${mode === 'vm' ? 'the VM runtime' : 'enable_docker'}) for CPU sandboxes only, and GPU sandboxes run on its V1 backend with gVisor; drop "docker" or "gpu", or make two classes`,
    });
  }
}
