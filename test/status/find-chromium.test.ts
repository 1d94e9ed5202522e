import { describe, expect, it } from '@jest/globals';
import { findChromium, USUAL_BROWSER_PATHS } from './find-chromium.js';

const only =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe('findChromium', () => {
  it('takes CHROMIUM_PATH first, and refuses one that is not there', () => {
    expect(
      findChromium({ CHROMIUM_PATH: '/opt/chrome' }, only('/opt/chrome', '/usr/bin/chromium')),
    ).toEqual({
      found: true,
      path: '/opt/chrome',
    });
    expect(() => findChromium({ CHROMIUM_PATH: '/nope' }, only('/usr/bin/chromium'))).toThrow(
      'CHROMIUM_PATH=/nope is not an executable browser',
    );
  });

  it('then the usual Chromium and Chrome paths, in order', () => {
    expect(findChromium({}, only('/usr/bin/google-chrome', '/snap/bin/chromium'))).toEqual({
      found: true,
      path: '/usr/bin/google-chrome',
    });
    expect(USUAL_BROWSER_PATHS[0]).toBe('/usr/bin/chromium');
  });

  it('without one: a one-line notice that says how to enable the tests, or an error under REQUIRE_BROWSER', () => {
    const lookup = findChromium({}, only());
    expect(lookup.found).toBe(false);
    const notice = lookup.found ? '' : lookup.notice;
    expect(notice).not.toContain('\n');
    expect(notice).toContain('skipping the browser tests');
    expect(notice).toContain('CHROMIUM_PATH');
    expect(() => findChromium({ REQUIRE_BROWSER: '1' }, only())).toThrow(/^REQUIRE_BROWSER is set/);
    expect(findChromium({ REQUIRE_BROWSER: '0' }, only()).found).toBe(false);
  });
});
