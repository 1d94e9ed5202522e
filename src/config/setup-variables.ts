import { z } from 'zod';

/** GH_ORG (Probot's name): the organization the setup page registers the App on. */
export const ghOrgSchema = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, {
  message: 'must be an organization login such as my-org',
});

/** WEBHOOK_URL: the public URL GitHub delivers webhooks to; the setup page registers it. */
export const webhookUrlSchema = z.url({
  protocol: /^https?$/,
  message: 'must be a URL such as https://runners.example.com/api/github/webhooks',
});
