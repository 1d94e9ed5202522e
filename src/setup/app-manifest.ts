import { parse } from 'yaml';

/** The GitHub App manifest the setup page posts to GitHub (app.yml with the URLs filled in). */
export type AppManifest = Record<string, unknown> & {
  readonly name: string;
  readonly public: boolean;
  readonly hook_attributes: Record<string, unknown> & { readonly url: string };
  readonly redirect_url: string;
};

/**
 * app.yml with the webhook URL GitHub should deliver to (`hook_attributes.url`) and the setup
 * page's callback (`redirect_url`) set. Pure; throws when app.yml is not a YAML mapping.
 */
export function buildAppManifest(input: {
  readonly manifestYaml: string;
  readonly hookUrl: string;
  readonly redirectUrl: string;
}): AppManifest {
  const parsed: unknown = parse(input.manifestYaml);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('app.yml must be a YAML mapping of GitHub App manifest fields');
  }
  const manifest = parsed as Record<string, unknown>;
  const hook =
    typeof manifest.hook_attributes === 'object' && manifest.hook_attributes !== null
      ? (manifest.hook_attributes as Record<string, unknown>)
      : {};
  return {
    ...manifest,
    name: typeof manifest.name === 'string' ? manifest.name : 'modal-github-runner',
    public: manifest.public === true,
    hook_attributes: { ...hook, url: input.hookUrl },
    redirect_url: input.redirectUrl,
  };
}
