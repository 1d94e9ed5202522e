import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import type { GitHubError } from '../github/github-error.js';
import { translateGitHubError } from '../github/translate-github-error.js';
import type { RestClient } from '../github/rest-response.js';
import type { CheckResult, CheckSection } from './check-result.js';
import type { DoctorGitHub } from './doctor-github.js';
import type { AppInfo, GitHubUrls } from './github-urls.js';

/** The App as the App check found it. */
export interface AppFacts {
  /** Authenticated with the App's JWT. */
  readonly client: RestClient;
  readonly app: AppInfo;
  readonly urls: GitHubUrls;
}

/** An organization the App is installed on, with a client of its installation when one was minted. */
export interface OrgInstallation {
  readonly org: string;
  readonly installationId: number;
  readonly client: RestClient | undefined;
  /** Why `client` is missing. */
  readonly tokenError?: GitHubError;
}

/** What checks learned for the checks after them; each field is set by one check. */
export interface DoctorFacts {
  /** Set by the App check; `noApp` says why it is missing. */
  app?: AppFacts;
  noApp?: string;
  /** Set by the installations check: the organizations whose runner group can be read. */
  orgs?: OrgInstallation[];
  noOrgs?: string;
}

export interface DoctorContext {
  readonly config: Config;
  readonly github: DoctorGitHub;
  /** Makes the Modal client; the Modal check closes it. */
  readonly modalClient: (config: Config) => ModalClient;
  /** WEBHOOK_PROXY_URL (not part of Config: only the server's start reads it). */
  readonly proxyUrl: string | undefined;
  readonly now: () => number;
  /** Do not build the runner images (they may take minutes the first time). */
  readonly skipImages: boolean;
  readonly onImageStart?: (tag: string, classes: readonly string[]) => void;
  readonly facts: DoctorFacts;
}

/**
 * One topic of the doctor: its I/O and its judgement (a pure function next to it). GitHub's
 * checks run one after another, each reading the facts of the ones before it; Modal's run
 * beside them.
 */
export interface DoctorCheck {
  /** The name its SKIP line has when the configuration is invalid. */
  readonly topic: string;
  readonly section: CheckSection;
  readonly lane: 'github' | 'modal' | 'database';
  run(ctx: DoctorContext): Promise<CheckResult[]>;
}

/** Translates a GitHub error at the doctor's clock. */
export function translate(
  ctx: Pick<DoctorContext, 'now'>,
  operation: string,
  error: unknown,
  installationId?: number,
): GitHubError {
  return translateGitHubError(operation, error, {
    now: ctx.now(),
    ...(installationId === undefined ? {} : { installationId }),
  });
}
