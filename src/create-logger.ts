import { getTransformStream } from '@probot/pino';
import pino, { type Logger } from 'pino';

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
 * @octokit/webhooks attaches the delivery (`event`, with its whole `payload`) to the errors it
 * raises, and Probot logs them: a refused or failing delivery would write its body to the log,
 * however large and whoever sent it. These serializers keep the rest and replace every payload.
 */
function withoutPayloads(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 5) return '[nested too deep to log]';
  if (Array.isArray(value)) return value.map((v) => withoutPayloads(v, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'payload') copy.payload = '[not logged]';
    else if (key === 'event' || key === 'aggregateErrors' || key === 'cause' || key === 'errors')
      copy[key] = withoutPayloads(field, depth + 1);
    else copy[key] = field;
  }
  return copy;
}

export const LOG_SERIALIZERS = {
  err: (error: unknown) => withoutPayloads(pino.stdSerializers.err(error as Error)),
  event: (event: unknown) => withoutPayloads(event),
};

/** Probot's logger (pretty in a terminal unless LOG_FORMAT=json), with secrets redacted. */
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
    serializers: LOG_SERIALIZERS,
  };
  if (options.destination) return pino(pinoOptions, options.destination);
  const transform = await getTransformStream({ logFormat: options.logFormat });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(pinoOptions, transform);
}
