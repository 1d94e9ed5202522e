import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../src/create-logger.js';
import { LogCapture } from '../sim/harness.js';

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
    const [first, second, , fourth] = logs.parsed();
    expect(first?.err).toMatchObject({
      type: 'AggregateError',
      message: 'signature does not match',
    });
    expect(second).toMatchObject({ id: 'delivery-1', err: { status: 400 } });
    expect(fourth?.event).toEqual({ id: 'delivery-1', name: 'workflow_job' });
  });
});
