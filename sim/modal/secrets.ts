/**
 * The fake Modal's Secrets: named ones a test adds (looked up with `secrets.fromName`) and
 * ephemeral ones the SDK creates from a plain object; sandboxes get their contents as env.
 */
import { Status } from 'nice-grpc-common';
import { asString, randomId, rpcError, stringMap, type Handler } from './wire.js';

const OBJECT_CREATION_TYPE_EPHEMERAL = 5;

export class FakeSecrets {
  /** SecretGetOrCreate. */
  readonly handlers: Readonly<Record<string, Handler>>;
  readonly #secrets = new Map<string, Record<string, string>>();
  readonly #named = new Map<string, string>();

  constructor(checkEnvironment: (method: string, environmentName: string) => void) {
    this.handlers = {
      SecretGetOrCreate: async (req) => {
        checkEnvironment('SecretGetOrCreate', asString(req.environmentName));
        return this.#secretGetOrCreate(req);
      },
    };
  }

  /** A named Secret the SDK can look up with `secrets.fromName`. */
  add(name: string, env: Record<string, string>): string {
    const secretId = randomId('st-', 22);
    this.#secrets.set(secretId, { ...env });
    this.#named.set(name, secretId);
    return secretId;
  }

  contents(secretId: string): Readonly<Record<string, string>> | undefined {
    return this.#secrets.get(secretId);
  }

  #secretGetOrCreate(req: Record<string, unknown>) {
    if (req.objectCreationType === OBJECT_CREATION_TYPE_EPHEMERAL) {
      const secretId = randomId('st-', 22);
      this.#secrets.set(secretId, stringMap(req.envDict));
      return { secretId, metadata: undefined };
    }
    const name = asString(req.deploymentName);
    const secretId = this.#named.get(name);
    if (!secretId)
      throw rpcError('SecretGetOrCreate', Status.NOT_FOUND, `Secret '${name}' not found`);
    return { secretId, metadata: undefined };
  }
}
