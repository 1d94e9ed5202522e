import { z } from 'zod';
import {
  runnerClassNamePattern,
  runnerClassShapeSchema,
  type RunnerClass,
} from './runner-class.js';

export const DEFAULT_RUNNER_CLASSES = '{"modal":{"cpu":2,"memoryMiB":8192}}';

/** Labels every runner carries and a job may ask for beside its class. */
export const GENERIC_LABELS = ['self-hosted', 'linux', 'x64'] as const;

const runnerClassesSchema = z
  .record(z.string(), runnerClassShapeSchema)
  .superRefine((classes, ctx) => {
    const names = Object.keys(classes);
    if (names.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must define at least one runner class' });
    }
    for (const name of names) {
      if (!runnerClassNamePattern.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `class name "${name}" must be lower-case letters, digits, ".", "_" or "-" (at most 32 characters); it is the runs-on label`,
        });
      }
      if ((GENERIC_LABELS as readonly string[]).includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `class name "${name}" is a label every runner has; pick a distinct name such as "modal"`,
        });
      }
    }
  });

/** Parses the `RUNNER_CLASSES` JSON into named classes; throws a readable message on error. */
export function parseRunnerClasses(json: string): ReadonlyMap<string, RunnerClass> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(
      `is not valid JSON (${(error as Error).message}); example: ${DEFAULT_RUNNER_CLASSES}`,
      { cause: error },
    );
  }
  const parsed = runnerClassesSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
      .join('; ');
    throw new Error(`${detail}; example: ${DEFAULT_RUNNER_CLASSES}`, { cause: parsed.error });
  }
  return new Map(
    Object.entries(parsed.data).map(([name, shape]) => [name, { name, ...shape }] as const),
  );
}
