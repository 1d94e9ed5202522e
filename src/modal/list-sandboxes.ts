import type { ModalClient } from 'modal';

/** A running sandbox as Modal's listing describes it. */
export interface ListedSandbox {
  readonly sandboxId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An end to a listing that would never finish (Modal repeating a page). */
const MAX_PAGES = 10_000;

/**
 * The running sandboxes of a Modal App carrying all `tags`, V1 and V2 alike (SandboxListV2),
 * with their tags, newest first: one call per page. The SDK's own iterator hands out bare
 * handles, which would cost one tag lookup per sandbox; this reads the same pages through the
 * SDK's control-plane client (its auth and retry middleware included) and keeps what they say.
 */
export async function listRunningSandboxes(
  client: ModalClient,
  appId: string,
  tags: Readonly<Record<string, string>>,
): Promise<ListedSandbox[]> {
  const tagList = Object.entries(tags).map(([tagName, tagValue]) => ({ tagName, tagValue }));
  const found: ListedSandbox[] = [];
  let beforeTimestamp: number | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await client.cpClient.sandboxListV2({
      appId,
      ...(beforeTimestamp === undefined ? {} : { beforeTimestamp }),
      includeFinished: false,
      tags: tagList,
    });
    const sandboxes = response.sandboxes ?? [];
    if (sandboxes.length === 0) break;
    for (const info of sandboxes) {
      found.push({
        sandboxId: info.id,
        tags: Object.fromEntries((info.tags ?? []).map((t) => [t.tagName, t.tagValue])),
      });
    }
    const oldest = sandboxes[sandboxes.length - 1]?.createdAt;
    if (oldest === undefined || (beforeTimestamp !== undefined && oldest >= beforeTimestamp)) break;
    beforeTimestamp = oldest;
  }
  return found;
}
