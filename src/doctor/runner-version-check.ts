import { newestLinuxX64Version, type RunnerDownload } from '../github/newest-runner-version.js';
import { fetchRunnerReleases, type RunnerReleaseDates } from '../github/runner-releases.js';
import { translate, type DoctorCheck, type DoctorContext } from './doctor-context.js';
import { headline } from './doctor-github.js';
import { checkRunnerVersions, type NewestRunner } from './judge-runner-version.js';

/**
 * RUNNER_VERSION and the classes' official images against the newest runner release, as the
 * first organization installation that answers reports it
 * (`GET /orgs/{org}/actions/runners/downloads`), and how long ago the releases after them came
 * out (`GET /repos/actions/runner/releases`, through the same installation).
 */
export const runnerVersionCheck: DoctorCheck = {
  topic: 'runner version',
  section: 'Runner version',
  lane: 'github',
  async run(ctx) {
    const { version, classes } = ctx.config.runners;
    const newest = await askNewestRunner(ctx);
    const dates = await askReleaseDates(ctx);
    return checkRunnerVersions(version, classes, newest, { dates, now: ctx.now() });
  },
};

function orgClients(ctx: DoctorContext) {
  return (ctx.facts.orgs ?? []).flatMap(({ org, client }) =>
    client === undefined ? [] : [{ org, client }],
  );
}

async function askNewestRunner(ctx: DoctorContext): Promise<NewestRunner> {
  let newest: NewestRunner = {
    kind: 'unknown',
    reason: ctx.facts.noOrgs ?? 'no organization installation could be asked',
  };
  for (const { org, client } of orgClients(ctx)) {
    try {
      const downloads: unknown = (
        await client.request('GET /orgs/{org}/actions/runners/downloads', { org })
      ).data;
      const version = newestLinuxX64Version(
        Array.isArray(downloads) ? (downloads as RunnerDownload[]) : [],
      );
      if (version) return { kind: 'known', version, org };
      newest = { kind: 'unknown', reason: `org ${org} listed no linux x64 runner download` };
    } catch (error) {
      const failure = translate(ctx, 'list-runner-downloads', error);
      newest = {
        kind: 'unknown',
        reason: `GET /orgs/${org}/actions/runners/downloads failed: ${headline(failure)}`,
      };
    }
  }
  return newest;
}

/** The runner's release dates, through the first installation (public data on github.com). */
async function askReleaseDates(ctx: DoctorContext): Promise<RunnerReleaseDates> {
  const first = orgClients(ctx)[0];
  if (!first) return { kind: 'unknown', reason: 'no organization installation could be asked' };
  try {
    return { kind: 'known', releases: await fetchRunnerReleases(first.client) };
  } catch (error) {
    const failure = translate(ctx, 'list-runner-releases', error);
    return {
      kind: 'unknown',
      reason: `GET /repos/actions/runner/releases failed: ${headline(failure)}`,
    };
  }
}
