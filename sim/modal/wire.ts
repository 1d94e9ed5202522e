/**
 * What every part of the fake Modal shares: the shape of its messages (`GenericResult`, tag
 * lists, string maps), its IDs and JWTs, its errors, and the defensive readers of the plain
 * request objects the SDK builds.
 */
import { randomBytes } from 'node:crypto';
import { ClientError, type CallOptions, type Status } from 'nice-grpc-common';

/** Modal's `GenericResult.status` values the fake uses. */
export const GenericStatus = {
  UNSPECIFIED: 0,
  SUCCESS: 1,
  FAILURE: 2,
  TERMINATED: 3,
  TIMEOUT: 4,
} as const;

export const SERVICE_PATH_PREFIX = '/modal.client.ModalClient/';
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** How a sandbox (or an image build) ended. */
export interface FakeResult {
  readonly status: number;
  readonly exitcode: number;
  readonly exception: string;
}

/** One RPC's answer, from the plain request object the SDK built and the call's options. */
export type Handler = (request: Record<string, unknown>, options: CallOptions) => Promise<unknown>;

export function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ID_ALPHABET[byte % ID_ALPHABET.length];
  return `${prefix}${out}`;
}

export function fakeJwt(expiresAtSecs: number): string {
  const b64 = (value: unknown) =>
    Buffer.from(JSON.stringify(value)).toString('base64').replace(/=+$/, '');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: expiresAtSecs, sub: 'fake-modal' })}.c2ln`;
}

export function rpcError(method: string, code: Status, details: string): ClientError {
  return new ClientError(`${SERVICE_PATH_PREFIX}${method}`, code, details);
}

export function abortError(): Error {
  const error = new Error('The operation has been aborted');
  error.name = 'AbortError';
  return error;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function asNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function tagList(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!Array.isArray(value)) return tags;
  for (const item of value) {
    const { tagName, tagValue } = asRecord(item);
    tags[asString(tagName)] = asString(tagValue);
  }
  return tags;
}

export function toTagList(tags: Readonly<Record<string, string>>) {
  return Object.entries(tags).map(([tagName, tagValue]) => ({ tagName, tagValue }));
}

export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(asRecord(value))) out[key] = asString(item);
  return out;
}

export function genericResult(result: FakeResult) {
  return {
    status: result.status,
    exception: result.exception,
    exitcode: result.exitcode,
    traceback: '',
    serializedTb: new Uint8Array(0),
    tbLineCache: new Uint8Array(0),
    data: undefined,
    dataBlobId: undefined,
    propagationReason: '',
  };
}

export function metadataRecord(options: CallOptions): Record<string, string> {
  const out: Record<string, string> = {};
  const metadata = options.metadata;
  if (!metadata) return out;
  for (const [key, values] of metadata) {
    out[key] = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString())).join(',');
  }
  return out;
}

/** Calls every listener with `value`; what one throws is kept in `errors`, not thrown. */
export function notify<T>(
  listeners: ReadonlySet<(value: T) => void>,
  value: T,
  errors: unknown[],
): void {
  for (const listener of [...listeners]) {
    try {
      listener(value);
    } catch (error) {
      errors.push(error);
    }
  }
}
