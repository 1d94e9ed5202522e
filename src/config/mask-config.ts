import type { Config } from './config.js';

/** The configuration with every secret replaced, safe to print or log. */
export function maskConfig(config: Config): unknown {
  const mask = (v: string | undefined) => (v === undefined ? undefined : '***');
  return {
    ...config,
    github: {
      ...config.github,
      privateKey: mask(config.github.privateKey),
      webhookSecret: mask(config.github.webhookSecret),
    },
    server: {
      ...config.server,
      statusToken: mask(config.server.statusToken),
      metricsToken: mask(config.server.metricsToken),
    },
    state: { ...config.state, databaseUrl: maskDatabaseUrl(config.state.databaseUrl) },
    modal: { ...config.modal, tokenSecret: mask(config.modal.tokenSecret) },
    runners: { ...config.runners, classes: Object.fromEntries(config.runners.classes) },
  };
}

/** The database URL without its password, safe to print or log. */
export function maskDatabaseUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '***';
  }
}
