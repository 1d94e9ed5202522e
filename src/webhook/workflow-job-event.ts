import { z } from 'zod';

/**
 * The parts of a `workflow_job` webhook we use, validated. Anything else in the payload is
 * ignored; anything missing or of the wrong type here makes the delivery malformed.
 */
const workflowJobEventSchema = z.object({
  action: z.string(),
  workflow_job: z.object({
    id: z.number().int().positive(),
    run_id: z.number().int().positive(),
    run_attempt: z.number().int().positive().default(1),
    status: z.string(),
    conclusion: z.string().nullable().optional(),
    labels: z.array(z.string()),
    runner_name: z.string().nullable().optional(),
    name: z.string().optional(),
    created_at: z.string().optional(),
  }),
  repository: z.object({
    full_name: z.string().regex(/^[^/]+\/[^/]+$/),
    name: z.string(),
    private: z.boolean(),
    visibility: z.string().optional(),
    owner: z.object({ login: z.string(), type: z.string() }),
  }),
  organization: z.object({ login: z.string() }).optional(),
  installation: z.object({ id: z.number().int().positive() }).optional(),
});

export type WorkflowJobEvent = z.infer<typeof workflowJobEventSchema>;

export type ParseResult =
  | { readonly ok: true; readonly event: WorkflowJobEvent }
  | { readonly ok: false; readonly reason: string };

/** Validates a `workflow_job` payload; never throws. */
export function parseWorkflowJobEvent(payload: unknown): ParseResult {
  const result = workflowJobEventSchema.safeParse(payload);
  if (result.success) return { ok: true, event: result.data };
  const reason = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason: `malformed workflow_job payload (${reason})` };
}
