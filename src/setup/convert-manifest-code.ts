/** What GitHub answers when a manifest's code is converted: the new App and its credentials. */
export interface RegisteredApp {
  readonly id: number;
  readonly slug: string;
  readonly htmlUrl: string;
  readonly owner: string | undefined;
  readonly pem: string;
  readonly webhookSecret: string;
}

/** GitHub refused or failed the conversion; the message says what to do. */
export class ManifestConversionError extends Error {
  override readonly name = 'ManifestConversionError';
}

/**
 * Trades the one-time `code` GitHub hands the setup page after "Create GitHub App" for the App's
 * id, private key and webhook secret (`POST /app-manifests/{code}/conversions`, no auth).
 */
export async function convertManifestCode(input: {
  readonly apiBaseUrl: string;
  readonly code: string;
  readonly fetch: typeof fetch;
}): Promise<RegisteredApp> {
  const url = `${input.apiBaseUrl}/app-manifests/${encodeURIComponent(input.code)}/conversions`;
  let response: Response;
  try {
    response = await input.fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/vnd.github+json',
        'user-agent': 'modal-github-runner-setup',
        'x-github-api-version': '2022-11-28',
      },
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    throw new ManifestConversionError(
      `could not reach GitHub at ${input.apiBaseUrl} (${(error as Error).message}); check the network (and GHE_HOST), then register again`,
      { cause: error },
    );
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status !== 201) {
    const message = typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
    throw new ManifestConversionError(
      response.status === 404
        ? `GitHub does not know this code (${message}): a code works once and for an hour; register the App again from the setup page`
        : `GitHub refused to convert the manifest code (${message}); register the App again from the setup page`,
    );
  }
  const { id, slug, html_url: htmlUrl, pem, webhook_secret: webhookSecret, owner } = body;
  if (typeof id !== 'number' || typeof pem !== 'string' || typeof webhookSecret !== 'string') {
    throw new ManifestConversionError(
      'GitHub answered without an App id, private key or webhook secret; register the App again',
    );
  }
  return {
    id,
    slug: typeof slug === 'string' ? slug : String(id),
    htmlUrl: typeof htmlUrl === 'string' ? htmlUrl : '',
    owner:
      typeof owner === 'object' &&
      owner !== null &&
      typeof (owner as { login?: unknown }).login === 'string'
        ? (owner as { login: string }).login
        : undefined,
    pem,
    webhookSecret,
  };
}
