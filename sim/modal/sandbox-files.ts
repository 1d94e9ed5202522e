/**
 * The files of the fake Modal's sandboxes, for `exec`: what a test (or a simulated runner hook)
 * wrote into a sandbox, and the few commands the fake runs over them. Anything else exits 127,
 * as a shell does for a command it cannot find.
 */
import type { ExecResult } from './command-router-exec.js';
import type { FakeSandbox } from './sandboxes.js';

export class FakeSandboxFiles {
  /** Every exec, in order, for assertions. */
  readonly execs: { readonly sandboxId: string; readonly command: readonly string[] }[] = [];
  readonly #files = new Map<string, Map<string, string>>();

  append(sandboxId: string, path: string, text: string): void {
    let files = this.#files.get(sandboxId);
    if (!files) {
      files = new Map();
      this.#files.set(sandboxId, files);
    }
    files.set(path, (files.get(path) ?? '') + text);
  }

  read(sandboxId: string, path: string): string | undefined {
    return this.#files.get(sandboxId)?.get(path);
  }

  /** `cat FILE`: its text, or exit 1 when it does not exist. */
  exec(sandbox: FakeSandbox, command: readonly string[]): ExecResult {
    this.execs.push({ sandboxId: sandbox.sandboxId, command: [...command] });
    const [program, path, ...rest] = command;
    if (program === 'cat' && path !== undefined && rest.length === 0) {
      const text = this.read(sandbox.sandboxId, path);
      return text === undefined
        ? { code: 1, stdout: '', stderr: `cat: ${path}: No such file or directory\n` }
        : { code: 0, stdout: text, stderr: '' };
    }
    return { code: 127, stdout: '', stderr: `sh: ${program ?? ''}: not found in the fake\n` };
  }
}
