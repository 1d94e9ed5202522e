import type { Logger } from 'pino';
import type { SetupConfig } from '../config/setup-config.js';
import type { WebhookTarget } from './webhook-target.js';

export interface SetupServerDeps {
  readonly config: SetupConfig;
  /** The text of app.yml. */
  readonly manifestYaml: string;
  readonly log: Logger;
  readonly fetch: typeof fetch;
  /** Stores the new App's credentials (in .env). */
  readonly saveCredentials: (values: Readonly<Record<string, string>>) => void;
  /** The manifest flow's `state`, random by default: a callback without it is refused. */
  readonly state?: string;
}

/** What the setup server's handlers share: its dependencies and the registration's state. */
export interface SetupContext {
  readonly deps: SetupServerDeps;
  /** The manifest flow's `state`: GitHub hands it back with the code. */
  readonly state: string;
  readonly target: WebhookTarget;
  /** GitHub's "register a new App" page for the manifest. */
  readonly createAppUrl: string;
  /** True once an App was registered: the page then asks for a restart. */
  registered: boolean;
}

/** Where GitHub sends the browser back with the manifest's one-time code. */
export const CALLBACK_PATH = '/setup/callback';
