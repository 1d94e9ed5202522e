#!/usr/bin/env node
/**
 * The `modal-github-runner` command.
 *
 *   modal-github-runner              start the server (same as `serve`)
 *   modal-github-runner doctor       check the App, its installations, Modal and the runner image
 *   modal-github-runner status       print what the running server is doing (/status.json)
 *   modal-github-runner image build  build the runner images on Modal ahead of the first job
 */
const USAGE = `Usage: modal-github-runner [serve | doctor | status | image build] [options]

  serve          start the GitHub App server (the default)
  doctor         check configuration, the GitHub App, its installations, Modal and the image
  status         show live runners, queued jobs and recent failures of a running server
  image build    build every runner class's image on Modal, so the first job does not wait
  help           show this message
`;

async function cli(argv: readonly string[]): Promise<number | undefined> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'serve':
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
      if (rest[0] !== 'build') break;
      const { imageBuildCommand } = await import('./cli/image-build-command.js');
      return imageBuildCommand(rest.slice(1));
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
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
