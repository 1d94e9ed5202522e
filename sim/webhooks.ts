import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface ExampleGroup {
  name: string;
  examples: Record<string, unknown>[];
}

/** Every `workflow_job` example GitHub documents, from @octokit/webhooks-examples. */
export function workflowJobExamples(): Record<string, unknown>[] {
  const all = require('@octokit/webhooks-examples/api.github.com/index.json') as ExampleGroup[];
  const group = all.find((g) => g.name === 'workflow_job');
  if (!group) throw new Error('no workflow_job examples in @octokit/webhooks-examples');
  return group.examples.map((e) => structuredClone(e));
}

export interface JobPayloadOptions {
  readonly action?: 'queued' | 'in_progress' | 'completed' | 'waiting';
  readonly id: number;
  readonly runId?: number;
  readonly labels?: readonly string[];
  readonly repo?: string;
  readonly ownerType?: 'Organization' | 'User';
  readonly private?: boolean;
  readonly runnerName?: string | null;
  readonly conclusion?: string | null;
  readonly installationId?: number | null;
}

/**
 * A `workflow_job` payload built from GitHub's own queued example, with the fields a scenario
 * needs replaced.
 */
export function workflowJobPayload(options: JobPayloadOptions): Record<string, unknown> {
  const base = workflowJobExamples().find(
    (e) => e.action === 'queued' && (e.workflow_job as { status: string }).status === 'queued',
  );
  if (!base) throw new Error('no queued workflow_job example');
  const action = options.action ?? 'queued';
  const [owner = 'acme', name = 'api'] = (options.repo ?? 'acme/api').split('/');
  const ownerType = options.ownerType ?? 'Organization';
  const job = base.workflow_job as Record<string, unknown>;
  const repository = base.repository as Record<string, unknown>;
  const payload: Record<string, unknown> = {
    ...base,
    action,
    workflow_job: {
      ...job,
      id: options.id,
      run_id: options.runId ?? options.id * 10,
      run_attempt: 1,
      status: action,
      conclusion: action === 'completed' ? (options.conclusion ?? 'success') : null,
      labels: options.labels ?? ['self-hosted', 'modal'],
      runner_name: options.runnerName ?? null,
    },
    repository: {
      ...repository,
      name,
      full_name: `${owner}/${name}`,
      private: options.private ?? true,
      visibility: (options.private ?? true) ? 'private' : 'public',
      owner: { ...(repository.owner as object), login: owner, type: ownerType },
    },
  };
  if (ownerType === 'Organization') payload.organization = { login: owner, id: 1 };
  else delete payload.organization;
  if (options.installationId === null) delete payload.installation;
  else payload.installation = { id: options.installationId ?? 7, node_id: 'MDIz' };
  return payload;
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface SendOptions {
  readonly event?: string;
  readonly signature?: string;
  readonly deliveryId?: string;
  readonly rawBody?: string;
}

/** Sends a webhook over real HTTP with a real HMAC signature. */
export async function sendWebhook(
  url: string,
  secret: string,
  payload: unknown,
  options: SendOptions = {},
): Promise<{ status: number; body: string; ms: number }> {
  const body = options.rawBody ?? JSON.stringify(payload);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': options.event ?? 'workflow_job',
      'x-github-delivery': options.deliveryId ?? randomUUID(),
      'x-hub-signature-256': options.signature ?? sign(secret, body),
      'user-agent': 'GitHub-Hookshot/test',
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, ms: performance.now() - started };
}
