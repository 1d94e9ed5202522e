/**
 * What the fake Modal answers about existing sandboxes: SandboxList (newest first, paged by
 * creation time, filtered by app or environment and by tags), the tags of one sandbox (get and
 * set), and SandboxGetFromName. V1 RPCs see only V1 sandboxes; V2 RPCs see both.
 */
import { Status } from 'nice-grpc-common';
import type { FakeControlPlane } from './control-plane.js';
import type { FakeSandbox, FakeSandboxes } from './sandboxes.js';
import type { SandboxKind } from './sandbox-definition.js';
import {
  asNumber,
  asString,
  genericResult,
  rpcError,
  tagList,
  toTagList,
  type Handler,
} from './wire.js';

/** SandboxList, SandboxTagsGet/Set and SandboxGetFromName, V1 and V2. */
export function sandboxQueryHandlers(
  sandboxes: FakeSandboxes,
  controlPlane: FakeControlPlane,
  listPageSize = 100,
): Record<string, Handler> {
  const visibleTo = (kind: SandboxKind) => (s: FakeSandbox) => kind === 'v2' || s.kind === 'v1';

  const list = async (kind: SandboxKind, req: Record<string, unknown>) => {
    const method = kind === 'v1' ? 'SandboxList' : 'SandboxListV2';
    const appId = asString(req.appId);
    const environmentName = asString(req.environmentName);
    if (!appId) controlPlane.checkEnvironment(method, environmentName);
    const before = asNumber(req.beforeTimestamp);
    const wanted = tagList(req.tags);
    const appIds = controlPlane.appIdsOf(appId, environmentName);
    const matching = sandboxes
      .all()
      .filter(visibleTo(kind))
      .filter((s) => appIds.has(s.appId))
      .filter((s) => req.includeFinished === true || s.result === undefined)
      .filter((s) => Object.entries(wanted).every(([k, v]) => s.tags[k] === v))
      .map((s) => ({ sandbox: s, createdAt: sandboxes.createdAtSecs(s.sandboxId) }))
      .filter((s) => before === 0 || s.createdAt < before)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, listPageSize);
    return { sandboxes: matching.map(({ sandbox, createdAt }) => listEntry(sandbox, createdAt)) };
  };

  const tagsGet = async (kind: SandboxKind, req: Record<string, unknown>) => {
    const method = kind === 'v1' ? 'SandboxTagsGet' : 'SandboxTagsGetV2';
    return { tags: toTagList(sandboxes.find(kind, method, req.sandboxId).tags) };
  };

  const tagsSet = async (kind: SandboxKind, req: Record<string, unknown>) => {
    const method = kind === 'v1' ? 'SandboxTagsSet' : 'SandboxTagsSetV2';
    sandboxes.find(kind, method, req.sandboxId).tags = tagList(req.tags);
    return {};
  };

  const getFromName = async (kind: SandboxKind, req: Record<string, unknown>) => {
    const method = kind === 'v1' ? 'SandboxGetFromName' : 'SandboxGetFromNameV2';
    const appId = controlPlane.appIdNamed(asString(req.environmentName), asString(req.appName));
    const name = asString(req.sandboxName);
    const candidates = sandboxes
      .all()
      .filter((s) => appId !== undefined && s.appId === appId && s.name === name)
      .filter(visibleTo(kind));
    const sandbox =
      candidates.find((s) => s.result === undefined) ??
      (req.includeTerminated === true ? candidates.at(-1) : undefined);
    if (!sandbox) throw rpcError(method, Status.NOT_FOUND, `Sandbox '${name}' not found`);
    return { sandboxId: sandbox.sandboxId, metadata: undefined };
  };

  return {
    SandboxList: (req) => list('v1', req),
    SandboxListV2: (req) => list('v2', req),
    SandboxTagsGet: (req) => tagsGet('v1', req),
    SandboxTagsGetV2: (req) => tagsGet('v2', req),
    SandboxTagsSet: (req) => tagsSet('v1', req),
    SandboxTagsSetV2: (req) => tagsSet('v2', req),
    SandboxGetFromName: (req) => getFromName('v1', req),
    SandboxGetFromNameV2: (req) => getFromName('v2', req),
  };
}

function listEntry(sandbox: FakeSandbox, createdAt: number) {
  return {
    id: sandbox.sandboxId,
    createdAt,
    taskInfo: {
      id: sandbox.taskId,
      startedAt: sandbox.scheduledAt / 1000,
      finishedAt: (sandbox.finishedAt ?? 0) / 1000,
      result: sandbox.result && genericResult(sandbox.result),
      enqueuedAt: sandbox.createdAt / 1000,
      gpuType: sandbox.gpu ?? '',
      sandboxId: sandbox.sandboxId,
      snapshotBehavior: 0,
      gpuConfig: undefined,
    },
    appId: sandbox.appId,
    tags: toTagList(sandbox.tags),
    name: sandbox.name ?? '',
    imageId: sandbox.imageId,
    resourceInfo: undefined,
    regions: [],
    timeoutSecs: sandbox.timeoutSecs,
    idleTimeoutSecs: undefined,
    readyAt: undefined,
    readinessProbe: undefined,
    tunnels: [],
    metadata: undefined,
  };
}
