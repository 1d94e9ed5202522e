/** A setting that works but deserves a look: the server logs it at start, `doctor` shows it. */
export interface ConfigWarning {
  readonly variable: string;
  /** What is wrong. */
  readonly message: string;
  /** What to change. */
  readonly fix: string;
}

/** The warnings a parsed environment deserves. */
export function configWarnings(
  gheHost: string | undefined,
  gheProtocol: 'http' | 'https',
): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (gheHost && gheProtocol === 'http' && !isLoopback(gheHost)) {
    warnings.push({
      variable: 'GHE_PROTOCOL',
      message: `GHE_PROTOCOL=http sends the App's tokens and the runners' JIT configs to ${gheHost} unencrypted`,
      fix: 'set GHE_PROTOCOL=https (http is only for a GitHub Enterprise Server on this machine)',
    });
  }
  return warnings;
}

/** `localhost`, a name under it, or an address in 127.0.0.0/8; the port is ignored. */
function isLoopback(hostWithPort: string): boolean {
  const host = hostWithPort.replace(/:\d+$/, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}
