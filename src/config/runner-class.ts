import { z } from 'zod';
import { cacheOptionSchema } from './cache-option.js';
import { checkNetworkFields, networkFields } from './runner-class-network.js';

/** Names Modal accepts for `gpu`, optionally followed by `:<count>` (for example `H100:2`). */
export const KNOWN_GPU_TYPES = [
  'T4',
  'L4',
  'A10',
  'A10G',
  'A100',
  'A100-40GB',
  'A100-80GB',
  'L40S',
  'H100',
  'H100!',
  'H200',
  'B200',
  'B200+',
  'ANY',
] as const;

const gpuPattern = new RegExp(
  `^(${KNOWN_GPU_TYPES.map((g) => g.replace(/[+!]/g, '\\$&')).join('|')})(:[1-8])?$`,
  'i',
);

/** Runner class names double as the `runs-on` label, so they follow GitHub's label rules. */
export const runnerClassNamePattern = /^[a-z0-9][a-z0-9._-]{0,31}$/;

export const runnerClassShapeSchema = z
  .object({
    cpu: z.number().positive().max(64).default(2),
    memoryMiB: z.number().int().min(512).max(524288).default(8192),
    gpu: z
      .string()
      .regex(gpuPattern, {
        message: `must be a Modal GPU type such as "T4", "A100-80GB" or "H100:2" (known: ${KNOWN_GPU_TYPES.join(', ')})`,
      })
      .optional(),
    image: z.string().min(1).optional(),
    timeoutMinutes: z.number().int().min(1).max(1440).optional(),
    maxRunners: z.number().int().min(1).optional(),
    /** Booted sandboxes kept waiting for a job's config (default 0: none). */
    warmPool: z.number().int().min(0).max(1000).optional(),
    /** A warm cache on a Modal Volume (src/cache/): `true` or `{ sizeGiB, ttlDays }`. */
    cache: cacheOptionSchema,
    /** `docker`, `egress`, `egressAllow`: see runner-class-network.ts. */
    ...networkFields,
  })
  .strict()
  .superRefine(checkNetworkFields)
  .refine(
    (c) => c.warmPool === undefined || c.maxRunners === undefined || c.warmPool <= c.maxRunners,
    {
      message: 'warmPool must not exceed maxRunners',
      path: ['warmPool'],
    },
  );

export type RunnerClassShape = z.infer<typeof runnerClassShapeSchema>;

/** A named runner shape; the name is the `runs-on` label that selects it. */
export interface RunnerClass extends RunnerClassShape {
  readonly name: string;
}
