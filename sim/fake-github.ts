import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly authorization: string | undefined;
}

export interface FakeRunner {
  readonly id: number;
  readonly name: string;
  /** `org:<org>` or `repo:<owner>/<repo>` */
  readonly scope: string;
  readonly labels: readonly string[];
  readonly runnerGroupId: number;
  readonly encodedJitConfig: string;
  status: 'offline' | 'online';
  busy: boolean;
}

export interface FakeJob {
  readonly id: number;
  readonly runId: number;
  readonly repo: string;
  readonly labels: readonly string[];
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  runnerName: string | null;
}

export interface FakeDelivery {
  readonly id: number;
  readonly guid: string;
  readonly event: string;
  readonly action: string | null;
  readonly payload: unknown;
  readonly installationId: number | null;
  readonly redelivery: boolean;
  deliveredAt: string;
  statusCode: number;
  status: string;
}

/** A self-hosted runner group of an organization, as `GET .../runner-groups/{id}` shows it. */
export interface FakeRunnerGroup {
  readonly org: string;
  readonly id: number;
  name: string;
  /** `all`, `selected` or `private`. */
  visibility: 'all' | 'selected' | 'private';
  default: boolean;
  allows_public_repositories: boolean;
  restricted_to_workflows: boolean;
  selected_workflows: string[];
  /** Full names of the repositories a `selected` group admits. */
  repositories: string[];
}

/** A repository of the organization, as `GET /installation/repositories` lists it. */
export interface FakeRepository {
  readonly id: number;
  readonly full_name: string;
  readonly private: boolean;
}

interface Fault {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  remaining: number;
  /** Let the request take effect, then answer with the fault (a lost response). */
  readonly afterEffect: boolean;
}

type Route = (
  req: RecordedRequest,
  params: string[],
  url: URL,
) => { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * GitHub's REST API for runners, jobs and installation tokens, over loopback HTTP, with
 * GitHub's semantics: unique runner names per scope (409), 404 for gone runners, 422 for busy
 * ones. Point Probot at it with `baseUrl: fake.baseUrl`.
 */
export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly runners = new Map<number, FakeRunner>();
  readonly jobs = new Map<number, FakeJob>();
  readonly issuedTokens: string[] = [];
  /** Every JIT config ever minted, to check none leaks. */
  readonly mintedJitConfigs: string[] = [];
  readonly deliveries: FakeDelivery[] = [];
  /** What `GET /app/installations` lists. */
  installations: unknown[] = [
    { id: 7, account: { login: 'acme', type: 'Organization' }, suspended_at: null },
  ];
  /** What `GET /app` answers (with the App's JWT). */
  app: Record<string, unknown> = {
    id: 12345,
    slug: 'modal-github-runner',
    events: ['workflow_job'],
    permissions: {},
  };
  /** What `GET /app/hook/config` answers; undefined answers 404 (no webhook). */
  hookConfig: Record<string, unknown> | undefined = {
    content_type: 'json',
    insecure_ssl: '0',
    secret: '********',
    url: 'https://runners.example.com/api/github/webhooks',
  };
  /** The organizations' runner groups (`GET /orgs/{org}/actions/runner-groups/{id}`). */
  runnerGroups: FakeRunnerGroup[] = [
    {
      org: 'acme',
      id: 1,
      name: 'Default',
      visibility: 'all',
      default: true,
      allows_public_repositories: false,
      restricted_to_workflows: false,
      selected_workflows: [],
      repositories: [],
    },
  ];
  /** The runner release `GET /orgs/{org}/actions/runners/downloads` offers. */
  latestRunnerVersion = '2.334.0';
  /**
   * What `GET /repos/actions/runner/releases` lists (newest first, as GitHub does); by default
   * `latestRunnerVersion`, out a day.
   */
  runnerReleases: { version: string; publishedAt: string }[] | undefined;
  /** The releases answer 404, as on a GitHub Enterprise Server (no actions/runner there). */
  runnerReleasesNotFound = false;
  /**
   * The repositories the installation sees (`GET /installation/repositories`); their ids are the
   * ones runner groups list and `PUT .../runner-groups/{id}/repositories` takes.
   */
  repositories: FakeRepository[] = [
    { id: 501, full_name: 'acme/web', private: true },
    { id: 502, full_name: 'acme/api', private: true },
    { id: 503, full_name: 'acme/docs', private: false },
  ];
  /**
   * How GitHub answers a `PATCH` that restricts a Default group (visibility `selected`) on a plan
   * that does not allow it; undefined lets it through. GitHub does not document this answer.
   */
  refuseDefaultGroupRestriction: { status: number; message: string } | undefined;
  latencyMs = 0;
  /** Chaos: called for every request; an answer it returns replaces the real one. */
  faultHook:
    | ((
        req: RecordedRequest,
      ) => { status: number; headers?: Record<string, string>; body?: unknown } | undefined)
    | undefined;
  /** What `GET /meta` answers (the part the app reads: the hosts Actions needs). */
  meta: { domains: { actions: string[] } } = {
    domains: {
      actions: [
        'github.com',
        '*.github.com',
        '*.actions.githubusercontent.com',
        'codeload.github.com',
        'ghcr.io',
        '*.blob.core.windows.net',
      ],
    },
  };
  /** Where `deliver()` posts webhooks, signed with `webhookSecret`. */
  webhookUrl: string | undefined;
  webhookSecret = 'development';
  /** Other Apps installed on the same organization: every delivery goes to them too. */
  otherApps: { readonly webhookUrl: string; readonly webhookSecret: string }[] = [];
  private nextDeliveryId = 1;
  private readonly faults: Fault[] = [];
  private nextRunnerId = 1000;
  private server: Server | undefined;
  private readonly routes: [string, RegExp, Route][] = [
    ['POST', /^\/app\/installations\/(\d+)\/access_tokens$/, (r) => this.accessToken(r)],
    [
      'POST',
      /^\/orgs\/([^/]+)\/actions\/runners\/generate-jitconfig$/,
      (r, [org]) => this.mint(r, `org:${org}`),
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/runners\/generate-jitconfig$/,
      (r, [o, n]) => this.mint(r, `repo:${o}/${n}`),
    ],
    [
      'GET',
      /^\/orgs\/([^/]+)\/actions\/runners$/,
      (r, [org], url) => this.list(r, `org:${org}`, url),
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/runners$/,
      (r, [o, n], url) => this.list(r, `repo:${o}/${n}`, url),
    ],
    [
      'DELETE',
      /^\/orgs\/([^/]+)\/actions\/runners\/(\d+)$/,
      (r, [org, id]) => this.remove(r, `org:${org}`, Number(id)),
    ],
    [
      'DELETE',
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/runners\/(\d+)$/,
      (r, [o, n, id]) => this.remove(r, `repo:${o}/${n}`, Number(id)),
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/attempts\/(\d+)\/jobs$/,
      (_r, [o, n, runId]) => this.listRunJobs(`${o}/${n}`, Number(runId)),
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/jobs\/(\d+)$/,
      (r, [o, n, id]) => this.getJob(r, `${o}/${n}`, Number(id)),
    ],
    ['GET', /^\/app$/, () => ({ status: 200, body: this.app })],
    [
      'GET',
      /^\/app\/hook\/config$/,
      () =>
        this.hookConfig
          ? { status: 200, body: this.hookConfig }
          : { status: 404, body: { message: 'Not Found' } },
    ],
    [
      'GET',
      /^\/orgs\/([^/]+)\/actions\/runner-groups\/(\d+)$/,
      (_r, [org, id]) => this.getRunnerGroup(org ?? '', Number(id)),
    ],
    [
      'GET',
      /^\/orgs\/([^/]+)\/actions\/runner-groups\/(\d+)\/repositories$/,
      (_r, [org, id], url) => this.listRunnerGroupRepositories(org ?? '', Number(id), url),
    ],
    [
      'PATCH',
      /^\/orgs\/([^/]+)\/actions\/runner-groups\/(\d+)$/,
      (r, [org, id]) => this.updateRunnerGroup(r, org ?? '', Number(id)),
    ],
    [
      'PUT',
      /^\/orgs\/([^/]+)\/actions\/runner-groups\/(\d+)\/repositories$/,
      (r, [org, id]) => this.setRunnerGroupRepositories(r, org ?? '', Number(id)),
    ],
    [
      'GET',
      /^\/installation\/repositories$/,
      (_r, _p, url) => this.listInstallationRepositories(url),
    ],
    ['GET', /^\/orgs\/([^/]+)\/actions\/runners\/downloads$/, () => this.runnerDownloads()],
    ['GET', /^\/repos\/actions\/runner\/releases$/, () => this.listRunnerReleases()],
    ['GET', /^\/app\/installations$/, () => ({ status: 200, body: this.installations })],
    ['GET', /^\/meta$/, () => ({ status: 200, body: this.meta })],
    ['GET', /^\/app\/hook\/deliveries$/, (_r, _p, url) => this.listDeliveries(url)],
    [
      'POST',
      /^\/app\/hook\/deliveries\/(\d+)\/attempts$/,
      (_r, [id]) => this.redeliver(Number(id)),
    ],
  ];

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('FakeGitHub is not started');
    return `http://127.0.0.1:${address.port}/api/v3`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` matching requests fail with `status` (and headers such as retry-after). */
  failNext(
    method: string,
    path: RegExp,
    status: number,
    options: {
      count?: number;
      headers?: Record<string, string>;
      body?: unknown;
      afterEffect?: boolean;
    } = {},
  ): void {
    this.faults.push({
      method,
      path,
      status,
      headers: options.headers ?? {},
      body: options.body ?? { message: `fake failure ${status}` },
      remaining: options.count ?? 1,
      afterEffect: options.afterEffect ?? false,
    });
  }

  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  /** A queued job, as GitHub holds it. */
  addJob(job: Omit<FakeJob, 'status' | 'conclusion' | 'runnerName'>): FakeJob {
    const record: FakeJob = { ...job, status: 'queued', conclusion: null, runnerName: null };
    this.jobs.set(job.id, record);
    return record;
  }

  /** A runner process presenting its JIT config; undefined when GitHub would refuse it. */
  connectRunner(encodedJitConfig: string): FakeRunner | undefined {
    const runner = [...this.runners.values()].find((r) => r.encodedJitConfig === encodedJitConfig);
    if (runner) runner.status = 'online';
    return runner;
  }

  /** GitHub's assignment: the oldest queued job whose labels the runner's labels cover. */
  assignJob(runner: FakeRunner): FakeJob | undefined {
    if (!this.runners.has(runner.id) || runner.busy) return undefined;
    const have = new Set(runner.labels.map((l) => l.toLowerCase()));
    const job = [...this.jobs.values()]
      .filter((j) => j.status === 'queued' && j.labels.every((l) => have.has(l.toLowerCase())))
      .sort((a, b) => a.id - b.id)[0];
    if (!job) return undefined;
    job.status = 'in_progress';
    job.runnerName = runner.name;
    runner.busy = true;
    return job;
  }

  /** The job finished; an ephemeral runner is removed by GitHub. */
  completeJob(job: FakeJob, conclusion = 'success'): void {
    job.status = 'completed';
    job.conclusion = conclusion;
    const runner = [...this.runners.values()].find((r) => r.name === job.runnerName);
    if (runner) this.runners.delete(runner.id);
  }

  cancelJob(job: FakeJob): void {
    job.status = 'completed';
    job.conclusion = 'cancelled';
  }

  /**
   * Sends a webhook the way GitHub does: signed, once, never retried by itself. With `drop`, the
   * delivery is recorded as failed without reaching the server (it was down, or the network lost it).
   */
  async deliver(
    event: string,
    payload: Record<string, unknown>,
    options: { drop?: boolean; redeliveryOf?: FakeDelivery } = {},
  ): Promise<FakeDelivery> {
    const delivery: FakeDelivery = {
      id: this.nextDeliveryId++,
      guid: options.redeliveryOf?.guid ?? randomUUID(),
      event,
      action: typeof payload.action === 'string' ? payload.action : null,
      payload,
      installationId: (payload.installation as { id?: number } | undefined)?.id ?? null,
      redelivery: options.redeliveryOf !== undefined,
      deliveredAt: new Date().toISOString(),
      statusCode: 0,
      status: 'pending',
    };
    this.deliveries.push(delivery);
    if (options.drop || this.webhookUrl === undefined) {
      delivery.statusCode = 502;
      delivery.status = 'failed to connect';
      return delivery;
    }
    const body = JSON.stringify(payload);
    await Promise.all(
      this.otherApps.map((app) =>
        fetch(app.webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': event,
            'x-github-delivery': randomUUID(),
            'x-hub-signature-256': `sha256=${createHmac('sha256', app.webhookSecret).update(body).digest('hex')}`,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        ),
      ),
    );
    try {
      const response = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': delivery.guid,
          'x-hub-signature-256': `sha256=${createHmac('sha256', this.webhookSecret).update(body).digest('hex')}`,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      delivery.statusCode = response.status;
      delivery.status = response.ok ? 'OK' : `Invalid HTTP Response: ${response.status}`;
    } catch (error) {
      delivery.statusCode = 0;
      delivery.status = `failed: ${(error as Error).message}`;
    }
    return delivery;
  }

  private listDeliveries(url: URL) {
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const cursor = url.searchParams.get('cursor');
    // Newest first, as GitHub lists them; the cursor is the last id of the previous page.
    const all = [...this.deliveries]
      .reverse()
      .filter((d) => cursor === null || d.id < Number(cursor));
    const page = all.slice(0, perPage);
    const headers: Record<string, string> = {};
    const last = page[page.length - 1];
    if (all.length > perPage && last) {
      headers.link = `<${this.baseUrl}/app/hook/deliveries?per_page=${perPage}&cursor=${last.id}>; rel="next"`;
    }
    return {
      status: 200,
      headers,
      body: page.map((d) => ({
        id: d.id,
        guid: d.guid,
        delivered_at: d.deliveredAt,
        redelivery: d.redelivery,
        duration: 0.01,
        status: d.status,
        status_code: d.statusCode,
        event: d.event,
        action: d.action,
        installation_id: d.installationId,
        repository_id: null,
        throttled_at: null,
      })),
    };
  }

  private findRunnerGroup(org: string, id: number): FakeRunnerGroup | undefined {
    return this.runnerGroups.find((g) => g.org.toLowerCase() === org.toLowerCase() && g.id === id);
  }

  private getRunnerGroup(org: string, id: number) {
    const group = this.findRunnerGroup(org, id);
    if (!group) return { status: 404, body: { message: 'Not Found' } };
    const base = `${this.baseUrl}/orgs/${group.org}/actions/runner-groups/${group.id}`;
    return {
      status: 200,
      body: {
        id: group.id,
        name: group.name,
        visibility: group.visibility,
        default: group.default,
        runners_url: `${base}/runners`,
        ...(group.visibility === 'selected'
          ? { selected_repositories_url: `${base}/repositories` }
          : {}),
        inherited: false,
        allows_public_repositories: group.allows_public_repositories,
        restricted_to_workflows: group.restricted_to_workflows,
        selected_workflows: group.selected_workflows,
        workflow_restrictions_read_only: false,
      },
    };
  }

  private listRunnerGroupRepositories(org: string, id: number, url: URL) {
    const group = this.findRunnerGroup(org, id);
    if (!group) return { status: 404, body: { message: 'Not Found' } };
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const repositories = group.repositories
      .slice((page - 1) * perPage, page * perPage)
      .map((fullName, i) => ({
        id: 100 + i,
        name: fullName.split('/')[1] ?? fullName,
        full_name: fullName,
        private: true,
        ...this.repositories.find((r) => r.full_name.toLowerCase() === fullName.toLowerCase()),
      }));
    return { status: 200, body: { total_count: group.repositories.length, repositories } };
  }

  private updateRunnerGroup(req: RecordedRequest, org: string, id: number) {
    const group = this.findRunnerGroup(org, id);
    if (!group) return { status: 404, body: { message: 'Not Found' } };
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { visibility, allows_public_repositories: allowsPublic } = body;
    if (visibility !== undefined && !['all', 'selected', 'private'].includes(String(visibility))) {
      return {
        status: 422,
        body: { message: 'Invalid request.\n\nvisibility is not included in the list' },
      };
    }
    if (allowsPublic !== undefined && typeof allowsPublic !== 'boolean') {
      return {
        status: 422,
        body: { message: 'Invalid request.\n\nallows_public_repositories is not a boolean' },
      };
    }
    const refusal = this.refuseDefaultGroupRestriction;
    if (group.default && visibility === 'selected' && refusal) {
      return { status: refusal.status, body: { message: refusal.message } };
    }
    if (visibility !== undefined) group.visibility = visibility as FakeRunnerGroup['visibility'];
    if (typeof allowsPublic === 'boolean') group.allows_public_repositories = allowsPublic;
    return this.getRunnerGroup(org, id);
  }

  private setRunnerGroupRepositories(req: RecordedRequest, org: string, id: number) {
    const group = this.findRunnerGroup(org, id);
    if (!group) return { status: 404, body: { message: 'Not Found' } };
    const ids = (req.body as { selected_repository_ids?: unknown } | undefined)
      ?.selected_repository_ids;
    if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i))) {
      return {
        status: 422,
        body: {
          message: 'Invalid request.\n\nselected_repository_ids must be an array of integers',
        },
      };
    }
    // "The runner group must have visibility set to selected" (GitHub's docs for this endpoint).
    if (group.visibility !== 'selected') {
      return {
        status: 422,
        body: { message: 'The runner group must have visibility set to selected' },
      };
    }
    const repos = ids.map((i) => this.repositories.find((r) => r.id === i));
    if (repos.some((r) => r === undefined)) {
      return { status: 422, body: { message: 'Validation Failed: unknown repository id' } };
    }
    group.repositories = repos.map((r) => r?.full_name ?? '');
    return { status: 204 };
  }

  private listInstallationRepositories(url: URL) {
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const repositories = this.repositories
      .slice((page - 1) * perPage, page * perPage)
      .map((r) => ({ ...r, name: r.full_name.split('/')[1] ?? r.full_name }));
    return { status: 200, body: { total_count: this.repositories.length, repositories } };
  }

  private listRunnerReleases() {
    if (this.runnerReleasesNotFound) return { status: 404, body: { message: 'Not Found' } };
    const releases = this.runnerReleases ?? [
      {
        version: this.latestRunnerVersion,
        publishedAt: new Date(Date.now() - 24 * 3600_000).toISOString(),
      },
    ];
    return {
      status: 200,
      body: releases.map((r) => ({
        tag_name: `v${r.version}`,
        name: `v${r.version}`,
        draft: false,
        prerelease: false,
        published_at: r.publishedAt,
      })),
    };
  }

  private runnerDownloads() {
    const v = this.latestRunnerVersion;
    const entry = (os: string, architecture: string, ext: string) => {
      const filename = `actions-runner-${os}-${architecture}-${v}.${ext}`;
      return {
        os,
        architecture,
        download_url: `https://github.com/actions/runner/releases/download/v${v}/${filename}`,
        filename,
      };
    };
    return {
      status: 200,
      body: [
        entry('osx', 'x64', 'tar.gz'),
        entry('linux', 'x64', 'tar.gz'),
        entry('linux', 'arm', 'tar.gz'),
        entry('linux', 'arm64', 'tar.gz'),
        entry('win', 'x64', 'zip'),
      ],
    };
  }

  private redeliver(id: number) {
    const original = this.deliveries.find((d) => d.id === id);
    if (!original) return { status: 404, body: { message: 'Not Found' } };
    void this.deliver(original.event, original.payload as Record<string, unknown>, {
      redeliveryOf: original,
    });
    return { status: 202, body: {} };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/api\/v3/, '');
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return this.send(res, 400, { message: 'Problems parsing JSON' });
    }
    const method = req.method ?? 'GET';
    const recorded: RecordedRequest = {
      method,
      path,
      body,
      authorization: req.headers.authorization,
    };
    this.requests.push(recorded);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));

    const chaos = this.faultHook?.(recorded);
    if (chaos)
      return this.send(res, chaos.status, chaos.body ?? { message: 'chaos' }, chaos.headers);
    const fault = this.faults.find(
      (f) => f.remaining > 0 && f.method === method && f.path.test(path),
    );
    if (fault && !fault.afterEffect) {
      fault.remaining -= 1;
      return this.send(res, fault.status, fault.body, fault.headers);
    }
    for (const [routeMethod, pattern, route] of this.routes) {
      const match = routeMethod === method ? pattern.exec(path) : null;
      if (!match) continue;
      const auth = this.checkAuth(recorded);
      if (auth) return this.send(res, auth.status, auth.body);
      const result = route(recorded, match.slice(1).map(decodeURIComponent), url);
      if (fault) {
        fault.remaining -= 1;
        return this.send(res, fault.status, fault.body, fault.headers);
      }
      return this.send(res, result.status, result.body, result.headers);
    }
    return this.send(res, 404, { message: 'Not Found' });
  }

  private checkAuth(req: RecordedRequest): { status: number; body: unknown } | undefined {
    const header = req.authorization ?? '';
    // GitHub serves GET /meta to anyone.
    if (req.path === '/meta') return undefined;
    if (req.path === '/app' || req.path.startsWith('/app/')) {
      return /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i.test(header)
        ? undefined
        : { status: 401, body: { message: 'A JSON web token could not be decoded' } };
    }
    const token = header.replace(/^token /i, '');
    return this.issuedTokens.includes(token)
      ? undefined
      : { status: 401, body: { message: 'Bad credentials' } };
  }

  private accessToken(_req: RecordedRequest) {
    const token = `ghs_${randomBytes(16).toString('hex')}`;
    this.issuedTokens.push(token);
    return {
      status: 201,
      body: { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} },
    };
  }

  private mint(req: RecordedRequest, scope: string) {
    const problem = jitBodyProblem(req.body);
    if (problem) return { status: 422, body: { message: `Invalid request.\n\n${problem}` } };
    const body = req.body as { name: string; runner_group_id: number; labels: string[] };
    const taken = [...this.runners.values()].some((r) => r.scope === scope && r.name === body.name);
    if (taken)
      return {
        status: 409,
        body: { message: 'Already exists - A runner with the same name already exists.' },
      };
    const encodedJitConfig = randomBytes(48).toString('base64');
    const runner: FakeRunner = {
      id: this.nextRunnerId++,
      name: body.name,
      scope,
      labels: body.labels,
      runnerGroupId: body.runner_group_id,
      encodedJitConfig,
      status: 'offline',
      busy: false,
    };
    this.runners.set(runner.id, runner);
    this.mintedJitConfigs.push(encodedJitConfig);
    return {
      status: 201,
      body: { runner: this.present(runner), encoded_jit_config: encodedJitConfig },
    };
  }

  private list(_req: RecordedRequest, scope: string, url: URL) {
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const name = url.searchParams.get('name');
    const all = [...this.runners.values()].filter(
      (r) => r.scope === scope && (name === null || r.name === name),
    );
    const runners = all.slice((page - 1) * perPage, page * perPage).map((r) => this.present(r));
    return { status: 200, body: { total_count: all.length, runners } };
  }

  private remove(_req: RecordedRequest, scope: string, id: number) {
    const runner = this.runners.get(id);
    if (!runner || runner.scope !== scope) return { status: 404, body: { message: 'Not Found' } };
    if (runner.busy)
      return { status: 422, body: { message: 'Bad request - Runner "x" is still running a job"' } };
    this.runners.delete(id);
    return { status: 204 };
  }

  /** The jobs of a run (every job here is on attempt 1; the job's name is `job-<id>`). */
  private listRunJobs(repo: string, runId: number) {
    const jobs = [...this.jobs.values()]
      .filter((j) => j.repo === repo && j.runId === runId)
      .map((j) => ({
        id: j.id,
        run_id: j.runId,
        run_attempt: 1,
        name: `job-${j.id}`,
        status: j.status,
        runner_name: j.runnerName,
      }));
    return { status: 200, body: { total_count: jobs.length, jobs } };
  }

  private getJob(_req: RecordedRequest, repo: string, id: number) {
    const job = this.jobs.get(id);
    if (!job || job.repo !== repo) return { status: 404, body: { message: 'Not Found' } };
    return {
      status: 200,
      body: {
        id: job.id,
        run_id: job.runId,
        status: job.status,
        conclusion: job.conclusion,
        labels: job.labels,
        runner_name: job.runnerName,
      },
    };
  }

  private present(r: FakeRunner) {
    return {
      id: r.id,
      name: r.name,
      os: 'Linux',
      status: r.status,
      busy: r.busy,
      runner_group_id: r.runnerGroupId,
      labels: r.labels.map((name, i) => ({ id: i + 1, name, type: 'custom' })),
    };
  }

  private send(
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-remaining': String(Math.max(0, 5000 - this.requests.length)),
      ...headers,
    });
    res.end(body === undefined || status === 204 ? undefined : JSON.stringify(body));
  }
}

/** GitHub's schema for the generate-jitconfig body, checked as GitHub would. */
export function jitBodyProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'body must be an object';
  const b = body as Record<string, unknown>;
  const allowed = new Set(['name', 'runner_group_id', 'labels', 'work_folder']);
  const extra = Object.keys(b).filter((k) => !allowed.has(k));
  if (extra.length) return `unexpected properties: ${extra.join(', ')}`;
  if (typeof b.name !== 'string' || b.name.length === 0 || b.name.length >= 64)
    return 'name must be a string of 1-63 characters';
  if (!Number.isInteger(b.runner_group_id)) return 'runner_group_id must be an integer';
  if (!Array.isArray(b.labels) || b.labels.length < 1 || b.labels.length > 100)
    return 'labels must be an array of 1-100 items';
  if (!b.labels.every((l) => typeof l === 'string' && l.length > 0))
    return 'labels must be non-empty strings';
  if (b.work_folder !== undefined && typeof b.work_folder !== 'string')
    return 'work_folder must be a string';
  return undefined;
}
