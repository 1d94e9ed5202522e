import { describe, expect, it } from '@jest/globals';
import type { SandboxInfo } from '../../src/ports/sandbox-platform.js';
import type { RunnerRecord } from '../../src/ledger/ledger.js';
import {
  reconcilePlan,
  type ReconcileInput,
  type Registration,
} from '../../src/reconciler/reconcile-plan.js';
import { runner } from '../../sim/records.js';

const NOW = 1_000_000;
const sandbox = (name: string, id = `sb-${name}`): SandboxInfo => ({
  sandboxId: id,
  tags: {
    managedBy: 'modal-github-runner',
    runnerName: name,
    runnerClass: 'modal',
    warm: false,
    scope: { kind: 'org', org: 'acme' },
    installationId: 7,
  },
});
const registration = (name: string, overrides: Partial<Registration> = {}): Registration => ({
  id: 55,
  name,
  status: 'offline',
  busy: false,
  ...overrides,
});

function input(
  overrides: Partial<ReconcileInput> & { ledger?: RunnerRecord[] } = {},
): ReconcileInput {
  const { ledger = [], ...rest } = overrides;
  return {
    now: NOW,
    runners: new Map(ledger.map((r) => [r.name, r])),
    inFlight: new Set(),
    sandboxes: [],
    registrations: new Map([['org:acme', []]]),
    orphanSince: new Map(),
    graces: { sandboxListLagMs: 30_000, orphanRegistrationMs: 120_000 },
    ...rest,
  };
}
const kinds = (i: ReconcileInput) => reconcilePlan(i).repairs.map((r) => r.kind);

describe('reconcilePlan', () => {
  it('everything in agreement: nothing to repair', () => {
    const r = runner('modal-a', {
      state: 'booting',
      sandboxId: 'sb-modal-a',
      updatedAt: NOW - 60_000,
    });
    expect(
      kinds(
        input({
          ledger: [r],
          sandboxes: [sandbox('modal-a')],
          registrations: new Map([['org:acme', [registration('modal-a')]]]),
        }),
      ),
    ).toEqual([]);
  });

  it('a sandbox that died is closed, after the listing lag', () => {
    const old = runner('modal-a', { state: 'booting', updatedAt: NOW - 60_000 });
    const fresh = runner('modal-b', { state: 'booting', updatedAt: NOW - 1_000 });
    const plan = reconcilePlan(input({ ledger: [old, fresh] }));
    expect(plan.repairs).toEqual([{ kind: 'sandbox-gone', runner: old }]);
  });

  it('makes no Modal-side decision when Modal could not be listed', () => {
    const r = runner('modal-a', { state: 'booting', updatedAt: 0 });
    const launching = runner('modal-b', { state: 'launching', updatedAt: 0 });
    expect(kinds(input({ ledger: [r, launching], sandboxes: undefined }))).toEqual([]);
  });

  it('an interrupted launch carries its sandbox when there is one', () => {
    const a = runner('modal-a', { state: 'launching', sandboxId: null });
    const b = runner('modal-b', { state: 'launching', sandboxId: null, runnerId: null });
    const plan = reconcilePlan(input({ ledger: [a, b], sandboxes: [sandbox('modal-a')] }));
    expect(plan.repairs).toEqual([
      { kind: 'interrupted-launch', runner: a, sandbox: sandbox('modal-a') },
      { kind: 'interrupted-launch', runner: b, sandbox: undefined },
    ]);
  });

  it('leaves runners with an action in flight to the controller', () => {
    const a = runner('modal-a', { state: 'launching', sandboxId: null });
    const b = runner('modal-b', { state: 'booting', updatedAt: 0 });
    expect(
      kinds(
        input({
          ledger: [a, b],
          inFlight: new Set(['modal-a', 'modal-b']),
          sandboxes: [sandbox('modal-a')],
        }),
      ),
    ).toEqual([]);
  });

  it.each<[Partial<Registration>, 'idle' | 'busy']>([
    [{ status: 'online', busy: false }, 'idle'],
    [{ status: 'online', busy: true }, 'busy'],
  ])('GitHub shows a booting runner %o: it becomes %s', (seen, state) => {
    const r = runner('modal-a', { state: 'booting', sandboxId: 'sb-modal-a', updatedAt: NOW });
    const plan = reconcilePlan(
      input({
        ledger: [r],
        sandboxes: [sandbox('modal-a')],
        registrations: new Map([['org:acme', [registration('modal-a', seen)]]]),
      }),
    );
    expect(plan.repairs).toEqual([{ kind: 'runner-status', runner: r, state }]);
  });

  it('a runner marked busy by a refused deletion, shown idle again, is idle; one that took a job stays busy', () => {
    const refused = runner('modal-a', {
      state: 'busy',
      sandboxId: 'sb-modal-a',
      updatedAt: NOW - 60_000,
    });
    const working = runner('modal-b', {
      state: 'busy',
      sandboxId: 'sb-modal-b',
      tookJobId: 7,
      updatedAt: NOW - 60_000,
    });
    const plan = reconcilePlan(
      input({
        ledger: [refused, working],
        sandboxes: [sandbox('modal-a'), sandbox('modal-b')],
        registrations: new Map([
          [
            'org:acme',
            [
              registration('modal-a', { status: 'online', busy: false }),
              registration('modal-b', { status: 'online', busy: false }),
            ],
          ],
        ]),
      }),
    );
    expect(plan.repairs).toEqual([{ kind: 'runner-status', runner: refused, state: 'idle' }]);
  });

  it('adopts an unknown sandbox that has a registration, terminates one that has none or whose runner is finished', () => {
    const done = runner('modal-done', { state: 'done' });
    const plan = reconcilePlan(
      input({
        ledger: [done],
        sandboxes: [sandbox('modal-known-reg'), sandbox('modal-stray'), sandbox('modal-done')],
        registrations: new Map([
          ['org:acme', [registration('modal-known-reg', { status: 'online' })]],
        ]),
      }),
    );
    expect(
      plan.repairs.map(
        (r) => `${r.kind}:${'sandbox' in r && r.sandbox ? r.sandbox.tags?.runnerName : ''}`,
      ),
    ).toEqual([
      'adopt-sandbox:modal-known-reg',
      'terminate-sandbox:modal-stray',
      'terminate-sandbox:modal-done',
    ]);
  });

  it('deletes an orphaned registration only after its grace period, remembering when it was first seen', () => {
    const regs = new Map([
      // Only this deployment's registrations reach the plan (observe-world filters by name).
      ['org:acme', [registration('modal-orphan')]],
    ]);
    const first = reconcilePlan(input({ registrations: regs }));
    expect(first.repairs).toEqual([]);
    expect(first.orphanSince.get('modal-orphan')).toBe(NOW);

    const later = reconcilePlan(
      input({ registrations: regs, now: NOW + 120_000, orphanSince: first.orphanSince }),
    );
    expect(later.repairs).toEqual([
      {
        kind: 'delete-registration',
        scopeKey: 'org:acme',
        registration: registration('modal-orphan'),
        reason: 'no sandbox or runner of ours behind it',
      },
    ]);
  });

  it('never deletes a busy registration, nor an unknown one while Modal cannot be listed', () => {
    const regs = new Map([
      [
        'org:acme',
        [registration('modal-busy', { busy: true, status: 'online' }), registration('modal-x')],
      ],
    ]);
    const plan = reconcilePlan(
      input({
        registrations: regs,
        sandboxes: undefined,
        orphanSince: new Map([
          ['modal-x', 0],
          ['modal-busy', 0],
        ]),
      }),
    );
    expect(plan.repairs).toEqual([]);
  });

  it('deletes the registration of a finished runner even while Modal cannot be listed', () => {
    const failed = runner('modal-f', { state: 'failed' });
    const plan = reconcilePlan(
      input({
        ledger: [failed],
        sandboxes: undefined,
        registrations: new Map([['org:acme', [registration('modal-f')]]]),
        orphanSince: new Map([['modal-f', 0]]),
      }),
    );
    expect(plan.repairs.map((r) => r.kind)).toEqual(['delete-registration']);
  });
});
