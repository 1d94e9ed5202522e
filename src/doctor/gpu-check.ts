import {
  KNOWN_GPU_TYPES,
  runnerClassShapeSchema,
  type RunnerClass,
} from '../config/runner-class.js';
import { result, type CheckResult } from './check-result.js';
import type { DoctorCheck } from './doctor-context.js';

/** The GPU types of the runner classes (no I/O: the configuration says it all). */
export const gpuCheck: DoctorCheck = {
  topic: 'GPU types',
  section: 'Modal',
  lane: 'modal',
  run: async (ctx) => [checkGpuTypes(ctx.config.runners.classes)],
};

/**
 * Every class's `gpu` is a type Modal offers (optionally `:<count>`), judged by the same parser
 * as RUNNER_CLASSES. The configuration already refuses unknown types; this states what each
 * class gets, and catches classes built without that parser.
 */
export function checkGpuTypes(classes: ReadonlyMap<string, RunnerClass>): CheckResult {
  const withGpu = [...classes.values()].filter((c) => c.gpu !== undefined);
  if (withGpu.length === 0) {
    return result.pass('Modal', 'GPU types', 'no runner class asks for a GPU');
  }
  const gpuSchema = runnerClassShapeSchema.shape.gpu;
  const bad = withGpu.filter((c) => !gpuSchema.safeParse(c.gpu).success);
  const listed = withGpu.map((c) => `${c.name}: ${c.gpu ?? ''}`).join(', ');
  if (bad.length > 0) {
    return result.fail(
      'Modal',
      'GPU types',
      `unknown GPU type: ${bad.map((c) => `${c.name} asks for "${c.gpu ?? ''}"`).join(', ')}`,
      {
        details: [
          `Modal offers: ${KNOWN_GPU_TYPES.join(', ')} (with an optional count, e.g. H100:2)`,
        ],
        fix: `change "gpu" of ${bad.map((c) => c.name).join(', ')} in RUNNER_CLASSES to one of the types above`,
      },
    );
  }
  return result.pass('Modal', 'GPU types', listed);
}
