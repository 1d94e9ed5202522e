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
    modal: { ...config.modal, tokenSecret: mask(config.modal.tokenSecret) },
    runners: { ...config.runners, classes: Object.fromEntries(config.runners.classes) },
  };
}
