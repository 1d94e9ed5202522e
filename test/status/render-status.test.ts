import { describe, expect, it } from '@jest/globals';
import { formatStatusText } from '../../src/status/format-status-text.js';
import {
  escapeHtml,
  formatAge,
  renderHistoryChart,
  renderStatusHtml,
} from '../../src/status/render-status-html.js';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const XSS = '<script>alert(1)</script>"\'&';

const snapshot: StatusSnapshot = {
  generatedAt: NOW,
  summary: {
    liveRunners: 1,
    queuedJobs: 1,
    inProgressJobs: 1,
    maxRunners: 4,
    runnersByClass: { modal: 1 },
    foreignJobs: 0,
  },
  warnings: [],
  runners: [
    {
      name: 'modal-modal-abc',
      runnerClass: 'modal',
      state: 'busy',
      repo: 'acme/api',
      jobId: 11,
      sandboxId: 'sb-1',
      ageSeconds: 75,
      foreign: false,
    },
  ],
  queue: [
    {
      jobId: 12,
      repo: `acme/${XSS}`,
      runnerClass: 'modal',
      position: 1,
      reason: 'cap',
      waitingSeconds: 3,
      attempts: 0,
      lastError: null,
    },
  ],
  failures: [{ at: NOW - 1000, kind: 'runner', subject: 'modal-modal-def', cause: XSS }],
  history: [
    { at: NOW - 3_000_000, liveRunners: 0, queuedJobs: 4 },
    { at: NOW - 60_000, liveRunners: 3, queuedJobs: 1 },
  ],
};

describe('renderStatusHtml', () => {
  const html = renderStatusHtml(snapshot);

  it('escapes every value: a hostile repository name or error cannot inject markup', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('acme/&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
  });

  it('shows the runner version in use, escaped like everything else', () => {
    expect(renderStatusHtml({ ...snapshot, runnerVersion: 'latest → 2.335.0' })).toContain(
      '<p class="meta" id="runner-version">Runner version: latest → 2.335.0</p>',
    );
    const hostile = renderStatusHtml({ ...snapshot, runnerVersion: `latest → 2.334.0 (${XSS})` });
    expect(hostile).not.toContain('<script');
    expect(hostile).toContain('Runner version: latest → 2.334.0 (&lt;script&gt;');
    expect(html).not.toContain('id="runner-version"'); // an older server's snapshot has none
    expect(formatStatusText({ ...snapshot, runnerVersion: 'latest → 2.335.0\u001b[2J' })).toContain(
      '  runner version latest → 2.335.0\n',
    );
  });

  it('shows the summary, the runners, the queue with its reason and the failures', () => {
    expect(html).toContain('modal-modal-abc');
    expect(html).toContain('1m 15s');
    expect(html).toContain('MAX_RUNNERS reached');
    expect(html).toContain('modal-modal-def');
    expect(html).toMatch(/<b>1<\/b>live runners \(max 4\)/);
  });

  it('shows times relative, with the ISO time on hover', () => {
    expect(html).toContain(
      'As of <time datetime="2026-11-22T12:00:00.000Z" title="2026-11-22T12:00:00.000Z">12:00:00 UTC</time>',
    );
    // The runner's age, the job's wait and the failure's time, each with its ISO moment.
    expect(html).toContain(
      '<time datetime="2026-11-22T11:58:45.000Z" title="2026-11-22T11:58:45.000Z">1m 15s</time>',
    );
    expect(html).toContain(
      '<time datetime="2026-11-22T11:59:57.000Z" title="2026-11-22T11:59:57.000Z">3s</time>',
    );
    expect(html).toContain(
      '<time datetime="2026-11-22T11:59:59.000Z" title="2026-11-22T11:59:59.000Z">1s ago</time>',
    );
    expect(html).not.toMatch(/<td>\d{4}-\d\d-\d\dT/);
  });

  it('has a chart with one point per sample for each series', () => {
    const points = [...html.matchAll(/<polyline class="(live|queued)" points="([^"]*)"/g)];
    expect(points.map((m) => m[1])).toEqual(['live', 'queued']);
    for (const m of points) expect((m[2] as string).split(' ')).toHaveLength(2);
  });
});

describe('renderHistoryChart', () => {
  it('spans what it has samples for: the oldest at the left edge, now at the right', () => {
    const svg = renderHistoryChart(
      [
        { at: NOW - 90_000, liveRunners: 1, queuedJobs: 0 },
        { at: NOW - 45_000, liveRunners: 2, queuedJobs: 0 },
        { at: NOW, liveRunners: 3, queuedJobs: 0 },
      ],
      NOW,
      5,
    );
    const xs = [
      ...(/class="live" points="([^"]+)"/.exec(svg)?.[1] ?? '').matchAll(/([\d.]+),/g),
    ].map((m) => Number(m[1]));
    expect(xs).toEqual([40, 375, 710]);
    expect(svg).toContain('>90 s ago</text>');
    expect(svg).toContain('3 samples over the last 90 s');
  });

  it('keeps at most the window: older samples sit at the left edge of the hour', () => {
    const svg = renderHistoryChart(
      [
        { at: NOW - 2 * 3_600_000, liveRunners: 1, queuedJobs: 0 },
        { at: NOW, liveRunners: 1, queuedJobs: 0 },
      ],
      NOW,
      5,
    );
    expect(svg).toContain('>60 min ago</text>');
    expect(svg).toMatch(/class="live" points="40\.0,[\d.]+ 710\.0,/);
  });

  it('maps the hour onto the plot: an hour ago at the left edge, now at the right', () => {
    const svg = renderHistoryChart(
      [
        { at: NOW - 3_600_000, liveRunners: 0, queuedJobs: 0 },
        { at: NOW, liveRunners: 5, queuedJobs: 0 },
      ],
      NOW,
      5,
    );
    const live = /class="live" points="([\d.]+),([\d.]+) ([\d.]+),([\d.]+)"/.exec(svg);
    expect(live).not.toBeNull();
    const [, x0, y0, x1, y1] = (live as RegExpExecArray).map(Number);
    expect(x0).toBe(40);
    expect(x1).toBe(710);
    expect(y0).toBeGreaterThan(y1 as number); // 0 sits below 5
  });

  it.each<[number, number, string[]]>([
    [2, 2, ['0', '2', '4']],
    [5, 7, ['0', '4', '8']],
    [50, 130, ['0', '100', '200']],
  ])('labels the axis with whole numbers (cap %d, peak %d)', (cap, peak, labels) => {
    const svg = renderHistoryChart([{ at: NOW, liveRunners: peak, queuedJobs: 0 }], NOW, cap);
    const texts = [...svg.matchAll(/text-anchor="end">(\d+)</g)].map((m) => m[1]);
    expect(texts).toEqual(labels);
  });

  it('renders an empty chart without samples', () => {
    expect(renderHistoryChart([], NOW, 10)).toContain('no samples yet');
  });
});

describe('formatStatusText', () => {
  const text = formatStatusText(snapshot);
  it('prints the summary and each table with aligned columns', () => {
    expect(text).toContain('live runners 1/4 (modal 1), queued jobs 1, jobs running 1');
    expect(text).toMatch(/RUNNER\s+CLASS\s+STATE\s+REPOSITORY\s+JOB\s+AGE\s+SANDBOX/);
    expect(text).toMatch(/modal-modal-abc\s+modal\s+busy\s+acme\/api\s+11\s+1m 15s\s+sb-1/);
    expect(text).toContain('MAX_RUNNERS reached');
    expect(text).toContain('peak 3 live runners, peak 4 queued');
  });
  it('says "none" for empty tables', () => {
    const empty = formatStatusText({
      ...snapshot,
      runners: [],
      queue: [],
      failures: [],
      history: [],
    });
    expect(empty).toContain('Live runners: none');
    expect(empty).toContain('Queued jobs: none');
    expect(empty).toContain('last hour: no samples yet');
  });
});

describe('small helpers', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [59, '59s'],
    [60, '1m 0s'],
    [3_725, '1h 2m'],
  ])('formatAge(%d) = %s', (s, expected) => expect(formatAge(s)).toBe(expected));
  it('escapeHtml escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});
