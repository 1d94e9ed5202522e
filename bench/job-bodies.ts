import { workflowJobPayload } from '../sim/webhooks.js';

export interface JobBody {
  readonly id: number;
  readonly repo: string;
  /** The JSON body, exactly as sent and signed. */
  readonly body: string;
}

/**
 * `count` `workflow_job.queued` bodies with ids from `firstId`, spread round-robin over `repos`.
 * One payload per repository is built from GitHub's example; only the ids change per job.
 */
export function jobBodies(firstId: number, count: number, repos: readonly string[]): JobBody[] {
  const bases = repos.map((repo) => ({ repo, payload: workflowJobPayload({ id: 1, repo }) }));
  const out: JobBody[] = [];
  for (let i = 0; i < count; i++) {
    const base = bases[i % bases.length];
    if (!base) throw new Error('no repositories');
    const id = firstId + i;
    const job = base.payload.workflow_job as Record<string, unknown>;
    const payload = { ...base.payload, workflow_job: { ...job, id, run_id: id * 10 } };
    out.push({ id, repo: base.repo, body: JSON.stringify(payload) });
  }
  return out;
}
