/**
 * The naive design, for `npm run bench` to compare against: a Probot app (same Probot Server,
 * same signature check, same Octokit) whose `workflow_job.queued` handler mints the JIT config
 * at GitHub, creates the Modal sandbox and hands it the config on stdin BEFORE it returns, so
 * every webhook answer waits for all of them. No ledger, no limits, no retries: only the answer path matters here.
 *
 * Run as its own process (like sim/sim-server-main.ts): configuration from the
 * environment, Modal through the fake-Modal bridge (FAKE_MODAL_BRIDGE_URL).
 */
import { Probot, Server } from 'probot';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/create-logger.js';
import { newRunnerName } from '../src/domain/runner-name.js';
import { AppOctokit } from '../src/github/app-octokit.js';
import { sandboxCreateParams } from '../src/modal/modal-sandbox-platform.js';
import { configLine, runnerImageTag } from '../src/modal/runner-image.js';
import { bridgeTransport } from '../sim/modal/bridge.js';
import { createModalClientOver } from '../sim/modal/modal-client.js';

const bridgeUrl = process.env.FAKE_MODAL_BRIDGE_URL;
if (!bridgeUrl) throw new Error('FAKE_MODAL_BRIDGE_URL is required');
const config = loadConfig(process.env);
const log = await createLogger({ level: config.server.logLevel, destination: process.stdout });
const runnerClass = config.runners.classes.get('modal');
if (!runnerClass) throw new Error('the naive server needs a runner class named "modal"');
const modal = createModalClientOver(bridgeTransport(bridgeUrl));
const image = modal.images.fromRegistry(runnerImageTag(runnerClass, config.runners.version));
let modalApp: ReturnType<typeof modal.apps.fromName> | undefined;

const probotOptions = {
  appId: config.github.appId,
  privateKey: config.github.privateKey,
  secret: config.github.webhookSecret,
  log,
  Octokit: AppOctokit,
  ...(config.github.baseUrl ? { baseUrl: config.github.baseUrl } : {}),
};
const server = new Server({
  Probot: Probot.defaults(probotOptions),
  host: config.server.host,
  port: config.server.port,
  webhookPath: config.github.webhookPath,
  log,
});
await server.load((app) => {
  app.on('workflow_job.queued', async (context) => {
    const { repository, workflow_job: job } = context.payload;
    const name = newRunnerName(runnerClass.name, 'bench0');
    const { data } = await context.octokit.rest.actions.generateRunnerJitconfigForOrg({
      org: repository.owner.login,
      name,
      runner_group_id: config.runners.groupId,
      labels: ['self-hosted', 'Linux', 'X64', runnerClass.name],
    });
    modalApp ??= modal.apps.fromName(config.modal.appName, { createIfMissing: true });
    const sandbox = await modal.sandboxes.create(
      await modalApp,
      image,
      sandboxCreateParams(
        {
          name,
          runnerClass,
          tags: {
            managedBy: 'naive-baseline',
            runnerName: name,
            runnerClass: runnerClass.name,
            warm: false,
            jobId: job.id,
          },
        },
        config.runners.sandboxTimeoutMinutes,
      ),
    );
    await sandbox.stdin.writeText(configLine(data.encoded_jit_config));
    await sandbox.stdin.close();
    context.log.info({ jobId: job.id, runnerName: name }, 'runner launched before answering');
  });
});
await server.start();
process.send?.({ ready: `http://${config.server.host}:${config.server.port}` });
process.once('SIGTERM', () => {
  void server.stop().then(() => {
    modal.close();
    process.exit(0);
  });
});
