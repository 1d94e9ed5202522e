import { describe, expect, it } from '@jest/globals';
import { RequestError } from '@octokit/request-error';
import { createLogger } from '../../src/create-logger.js';
import { errorFields, errorLogFields } from '../../src/domain/error-fields.js';
import { LogCapture } from '../../sim/harness.js';

async function logged(write: (log: Awaited<ReturnType<typeof createLogger>>) => void) {
  const logs = new LogCapture();
  const log = await createLogger({ level: 'info', destination: logs.stream });
  write(log);
  return logs.parsed().map((line) => line.err as Record<string, unknown>);
}

describe('errors in the log', () => {
  it('keeps the class of an error logged through errorFields, with no empty stack', async () => {
    const [err] = await logged((log) =>
      log.error({ err: errorFields(new TypeError('boom')) }, 'failed'),
    );
    expect(err).toEqual({ type: 'TypeError', message: 'boom' });
  });

  it('keeps the status of a GitHub error and drops its request and response', async () => {
    const error = new RequestError('Bad credentials', 401, {
      request: {
        method: 'GET',
        url: 'https://api.github.com/app',
        headers: { authorization: 'bearer secret-jwt-value' },
      },
      response: {
        status: 401,
        url: 'https://api.github.com/app',
        headers: {},
        data: { message: 'Bad credentials' },
      },
    });
    const [fromFields, raw] = await logged((log) => {
      log.error({ err: errorFields(error) }, 'failed');
      log.error(error); // as Probot logs errors
    });
    expect(fromFields).toEqual({ type: 'HttpError', message: 'Bad credentials', status: 401 });
    expect(raw).toMatchObject({ type: 'HttpError', message: 'Bad credentials', status: 401 });
    expect(String(raw?.stack)).toMatch(/^HttpError: Bad credentials\n\s+at /);
    expect(Object.keys(raw ?? {}).sort()).toEqual(['message', 'stack', 'status', 'type']);
    expect(JSON.stringify([fromFields, raw])).not.toContain('secret-jwt-value');
  });

  it('turns anything thrown into a type and a message', () => {
    expect(errorLogFields('plain text')).toEqual({ type: 'string', message: 'plain text' });
    expect(errorLogFields({ message: 'like an error', payload: { big: true } })).toEqual({
      type: 'object',
      message: 'like an error',
    });
    expect(errorLogFields(undefined)).toEqual({ type: 'undefined', message: 'undefined' });
  });
});
