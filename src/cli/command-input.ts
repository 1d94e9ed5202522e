import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, type Config } from '../config/config.js';

/** Where a command writes. */
export interface CommandOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * A command's arguments: `--help` (prints `help`, exit 0) and, with `positional`, exactly one
 * positional argument (else the reason and `help` on stderr, exit 2). Returns the exit code
 * when the command is done, else the positional (or '' without one).
 */
export function readCommandArgs(
  args: readonly string[],
  help: string,
  io: CommandOutput,
  positional?: { readonly missing: string },
): { readonly exit: number } | { readonly value: string } {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: positional !== undefined,
      options: { help: { type: 'boolean', short: 'h', default: false } },
    });
    if (values.help) {
      io.out(help);
      return { exit: 0 };
    }
    if (!positional) return { value: '' };
    const [value] = positionals;
    if (positionals.length !== 1 || value === undefined) throw new Error(positional.missing);
    return { value };
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${help}`);
    return { exit: 2 };
  }
}

/** The configuration, or undefined after printing what is wrong with it (the command exits 2). */
export function configOrReport(
  env: Readonly<Record<string, string | undefined>>,
  io: CommandOutput,
): Config | undefined {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}
