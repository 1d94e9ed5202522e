#!/usr/bin/env node
/**
 * The `modal-github-runner` command.
 *
 *   modal-github-runner              start the server (same as `serve`)
 *   modal-github-runner doctor       check the App, its installations, Modal and the runner image
 *   modal-github-runner status       print what the running server is doing (/status.json)
 *   modal-github-runner image build  build the runner images on Modal ahead of the first job
 *   modal-github-runner backup FILE  copy the ledger to FILE while the server runs
 *   modal-github-runner cache wipe C  empty the warm cache of runner class C
 */
import { readFileSync } from 'node:fs';

const USAGE = `Usage: modal-github-runner [command] [options]

Commands:
  serve          start the GitHub App server (the default)
  doctor         check configuration, the GitHub App, its installations, Modal and the image
  status         show live runners, queued jobs and recent failures of a running server
  image build    build every runner class's image on Modal, so the first job does not wait
  backup FILE    copy the ledger (DATA_DIR/ledger.sqlite) to FILE, safely while the server runs
  cache wipe C   empty the warm cache (Modal Volume) of runner class C; its next runner starts cold
  help           show this message

Options:
  -h, --help     show this message, or a command's (modal-github-runner doctor --help)
  -v, --version  print the version

Every command reads the environment and .env in the working directory.
`;

const SERVE_HELP = `Usage: modal-github-runner serve

Starts the GitHub App server with the environment (and .env). Without APP_ID and a private key
it serves the setup page on http://localhost:$PORT (loopback only), which registers the App from
app.yml on the account GH_ORG names. See DEPLOY.md for every variable.
`;

/** The package's version, read from the package.json beside src/ or dist/. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

async function cli(argv: readonly string[]): Promise<number | undefined> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'serve':
      if (rest.length > 0) {
        const help = rest.every(isHelp);
        (help ? process.stdout : process.stderr).write(SERVE_HELP);
        return help ? 0 : 2;
      }
      await import('./main.js');
      return undefined;
    case 'doctor': {
      const { doctorCommand } = await import('./cli/doctor-command.js');
      return doctorCommand(rest);
    }
    case 'status': {
      const { statusCommand } = await import('./cli/status-command.js');
      return statusCommand(rest);
    }
    case 'image': {
      if (isHelp(rest[0])) rest.splice(0, 1, 'build', '--help');
      if (rest[0] !== 'build') break;
      const { imageBuildCommand } = await import('./cli/image-build-command.js');
      return imageBuildCommand(rest.slice(1));
    }
    case 'cache': {
      if (isHelp(rest[0])) rest.splice(0, 1, 'wipe', '--help');
      if (rest[0] !== 'wipe') break;
      const { cacheWipeCommand } = await import('./cli/cache-wipe-command.js');
      return cacheWipeCommand(rest.slice(1));
    }
    case 'backup': {
      const { backupCommand } = await import('./cli/backup-command.js');
      return backupCommand(rest);
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`modal-github-runner ${packageVersion()}\n`);
      return 0;
  }
  process.stderr.write(`Unknown command: ${argv.join(' ')}\n\n${USAGE}`);
  return 2;
}

cli(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `modal-github-runner: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
