import { z } from 'zod';

/* Builders for the schema of environment values (strings), with messages that say what is wanted. */

/** `true`/`false` (also `1`/`0`, `yes`/`no`). */
export const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], {
    message: 'must be "true" or "false"',
  })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** What a whole-number setting must be, said the same way whatever is wrong with the value. */
export function wholeNumberRule(min: number, max: number): string {
  if (min === 1 && max >= Number.MAX_SAFE_INTEGER) return 'must be a positive whole number';
  if (min === 1) return `must be a positive whole number, at most ${max}`;
  return `must be a whole number from ${min} to ${max}`;
}

/** A whole number from `min` to `max`, as a string in the environment. */
export const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: wholeNumberRule(min, max) })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { message: wholeNumberRule(min, max) })
        .max(max, { message: wholeNumberRule(min, max) }),
    );

/** A number above 0 and at most `max` (decimals allowed). */
export const positiveNumber = (max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, { message: 'must be a number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .positive({ message: 'must be greater than 0' })
        .max(max, { message: `must be at most ${max}` }),
    );

/** A token that guards an HTTP endpoint (Bearer, or the Basic auth password); unset is allowed. */
export const accessToken = z
  .string()
  .min(16, {
    message: 'must be at least 16 characters; generate one with `openssl rand -hex 32`',
  })
  .optional();
