import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createRecordedSummary } from '../../src/webhook/recorded-summary.js';
import { FakeClock } from '../../sim/fake-clock.js';
import { LogCapture } from '../../sim/harness.js';

describe('the summary of recorded deliveries', () => {
  it('logs counts by status at most once per interval, and nothing while quiet', async () => {
    const capture = new LogCapture();
    const clock = new FakeClock('auto', 0);
    const summary = createRecordedSummary(pino({ level: 'info' }, capture.stream), clock, 60_000);
    summary.note('queued');
    summary.note('queued');
    expect(capture.lines).toEqual([]);
    await clock.sleep(60_000);
    summary.note('completed');
    summary.note('queued');
    const lines = capture.parsed();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'workflow_job deliveries recorded',
      recorded: { queued: 2, completed: 1 },
      total: 3,
      seconds: 60,
    });
  });
});
