import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../src/create-logger.js';
import { LogCapture } from './support/harness.js';

describe('createLogger', () => {
  it('never writes a webhook payload carried by an error or an event', async () => {
    const logs = new LogCapture();
    const log = await createLogger({ level: 'debug', destination: logs.stream });
    const marker = 'MARKER-payload-body';
    // The shapes @octokit/webhooks gives its errors: the delivery on the error and on the
    // AggregateError that wraps it.
    const event = { id: 'delivery-1', name: 'workflow_job', payload: `{"note":"${marker}"}` };
    const inner = Object.assign(new Error('signature does not match'), { event, status: 400 });
    const aggregate = Object.assign(new AggregateError([inner], inner.message), { event });
    log.error(aggregate);
    log.child({ name: 'event', id: event.id }).error(inner);
    log.error({ err: new Error('wrapped', { cause: inner }) }, 'failed');
    log.debug({ event: { ...event, payload: { note: marker } } }, 'Webhook received');

    expect(logs.lines).toHaveLength(4);
    expect(logs.text).not.toContain(marker);
    const [first, second] = logs.parsed();
    expect(first?.err).toMatchObject({
      message: 'signature does not match',
      event: { id: 'delivery-1', name: 'workflow_job', payload: '[not logged]' },
    });
    expect(second?.err).toMatchObject({ event: { id: 'delivery-1' }, status: 400 });
  });
});
