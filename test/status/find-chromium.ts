import { accessSync, constants } from 'node:fs';

/** Where Chromium or Chrome usually is, when CHROMIUM_PATH does not say. */
export const USUAL_BROWSER_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export type BrowserLookup =
  | { readonly found: true; readonly path: string }
  | { readonly found: false; readonly notice: string };

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The browser the status page's browser tests drive: `CHROMIUM_PATH` if set (it must exist),
 * else the first of the usual paths. With none, the tests are skipped unless `REQUIRE_BROWSER`
 * is set (CI sets it, so that CI never skips them): then this throws.
 */
export function findChromium(
  env: Readonly<Record<string, string | undefined>>,
  isExecutable: (path: string) => boolean = executable,
): BrowserLookup {
  const required = Boolean(env.REQUIRE_BROWSER) && env.REQUIRE_BROWSER !== '0';
  if (env.CHROMIUM_PATH) {
    if (isExecutable(env.CHROMIUM_PATH)) return { found: true, path: env.CHROMIUM_PATH };
    throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable browser`);
  }
  const path = USUAL_BROWSER_PATHS.find(isExecutable);
  if (path !== undefined) return { found: true, path };
  const notice =
    'No Chromium or Chrome found: skipping the browser tests of the status page (install chromium, or set CHROMIUM_PATH to a Chromium or Chrome binary, to run them).';
  if (required)
    throw new Error(
      `REQUIRE_BROWSER is set but ${notice.slice(0, notice.indexOf(':'))}; install one or set CHROMIUM_PATH`,
    );
  return { found: false, notice };
}
