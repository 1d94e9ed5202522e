/** A configuration problem, naming the variable and saying how to fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: readonly { readonly variable: string; readonly message: string }[],
    options?: { cause?: unknown },
  ) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}\n` +
        'Fix the variables above (see .env.example and DEPLOY.md) and start again.',
      options,
    );
  }
}
