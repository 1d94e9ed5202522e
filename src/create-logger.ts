import { getTransformStream } from '@probot/pino';
import pino, { type Logger } from 'pino';
import { errorLogFields } from './domain/error-fields.js';

/** Object paths that may hold a secret; pino prints them as [Redacted], as a second line of defence. */
export const REDACTED_PATHS = [
  'jitConfig',
  'encodedJitConfig',
  'encoded_jit_config',
  'token',
  'privateKey',
  'webhookSecret',
  '*.jitConfig',
  '*.encodedJitConfig',
  '*.encoded_jit_config',
  '*.token',
  '*.privateKey',
  '*.webhookSecret',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
];

/**
 * Probot logs a received event (`log.debug({ event })`) with its whole payload; keep its id and
 * name only, so no delivery body reaches the log (bodies can be large, and anyone can send one).
 */
function eventLogFields(event: unknown): unknown {
  if (typeof event !== 'object' || event === null) return event;
  const { id, name } = event as Record<string, unknown>;
  return { id, name };
}

/**
 * Probot's logger (pretty in a terminal unless LOG_FORMAT=json), with secrets redacted and every
 * `err` field (ours, or a raw error logged by Probot or Octokit) reduced to `errorLogFields`,
 * which also leaves out the delivery that @octokit/webhooks attaches to its errors.
 */
export async function createLogger(options: {
  level: string;
  logFormat?: 'json' | 'pretty' | undefined;
  /** Where JSON lines go; standard output by default. */
  destination?: NodeJS.WritableStream;
}): Promise<Logger> {
  const pinoOptions = {
    level: options.level,
    name: 'modal-github-runner',
    redact: REDACTED_PATHS,
    serializers: { err: errorLogFields, event: eventLogFields },
  };
  if (options.destination) return pino(pinoOptions, options.destination);
  const transform = await getTransformStream({ logFormat: options.logFormat });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(pinoOptions, transform);
}
