import type { SandboxCreateParams } from 'modal';
import type { RunnerClass } from '../config/runner-class.js';
import { dockerModeOf, isCidr } from '../config/runner-class-network.js';
import { FALLBACK_ACTIONS_DOMAINS } from '../github/actions-hosts.js';
import { runnerCommand, type EgressNotice } from './runner-entrypoint.js';

/** What a class's sandbox parameters depend on beyond the class itself. */
export interface ClassSandboxContext {
  /** Names of the classes with `docker`, for the advice a class without it prints. */
  readonly dockerClasses?: readonly string[];
  /** GitHub's hosts for Actions (`GET /meta`), for `egress: "github"`; a fallback without. */
  readonly githubHosts?: readonly string[];
}

type ClassParams = Pick<
  SandboxCreateParams,
  | 'command'
  | 'runtime'
  | 'experimentalOptions'
  | 'blockNetwork'
  | 'outboundDomainAllowlist'
  | 'outboundCidrAllowlist'
>;

/** The hosts a class may reach, split as Modal takes them, or undefined when egress is open. */
export function egressAllowlist(
  cls: Pick<RunnerClass, 'egress' | 'egressAllow'>,
  githubHosts: readonly string[] = FALLBACK_ACTIONS_DOMAINS,
): EgressNotice | undefined {
  const egress = cls.egress ?? 'open';
  if (egress === 'open') return undefined;
  const entries = egress === 'github' ? [...githubHosts, ...(cls.egressAllow ?? [])] : [...egress];
  const unique = [...new Set(entries.map((e) => e.toLowerCase()))];
  return {
    domains: unique.filter((e) => !isCidr(e)),
    cidrs: unique.filter((e) => isCidr(e)),
  };
}

/** Modal's network fields for an allowlist: nothing at all is `blockNetwork`. */
function networkParams(allow: EgressNotice | undefined): ClassParams {
  if (allow === undefined) return {};
  if (allow.domains.length === 0 && allow.cidrs.length === 0) return { blockNetwork: true };
  return {
    ...(allow.domains.length > 0 ? { outboundDomainAllowlist: [...allow.domains] } : {}),
    ...(allow.cidrs.length > 0 ? { outboundCidrAllowlist: [...allow.cidrs] } : {}),
  };
}

/**
 * The sandbox parameters a class's options decide: its entrypoint, how Docker runs (the VM
 * runtime, or gVisor with `enable_docker`) and its outbound network policy.
 */
export function classSandboxParams(
  cls: RunnerClass,
  context: ClassSandboxContext = {},
): ClassParams {
  const allow = egressAllowlist(cls, context.githubHosts);
  const docker = dockerModeOf(cls);
  return {
    command: runnerCommand(cls, {
      ...(context.dockerClasses ? { dockerClasses: context.dockerClasses } : {}),
      ...(allow ? { egressPolicy: allow } : {}),
    }),
    ...(docker === 'vm' ? { runtime: 'vm' as const } : {}),
    ...(docker === 'experimental' ? { experimentalOptions: { enable_docker: true } } : {}),
    ...networkParams(allow),
  };
}
