import { describe, expect, it } from '@jest/globals';
import { terminalSafe } from '../../src/status/terminal-safe.js';

describe('terminalSafe', () => {
  it.each<[string, string, string]>([
    ['colours (CSI SGR)', '\u001b[31mred\u001b[0m', 'red'],
    ['a screen clear and cursor move', '\u001b[2J\u001b[1;1Hhome', 'home'],
    ['an 8-bit CSI', '\u009b2Jgone', 'gone'],
    ['a window title (OSC ended by BEL)', '\u001b]0;pwned\u0007title', 'title'],
    [
      'a hyperlink (OSC 8 ended by ST)',
      '\u001b]8;;https://evil\u001b\\link\u001b]8;;\u001b\\',
      'link',
    ],
    ['a clipboard write (OSC 52)', 'x\u001b]52;c;cm0gLXJmIH4=\u0007y', 'xy'],
    ['a device control string', '\u001bP1$r\u001b\\dcs', 'dcs'],
    ['an unterminated OSC', 'ok\u001b]0;title', 'ok'],
    ['save cursor and charset selection', '\u001b7a\u001b(Bb', 'ab'],
    ['line breaks and tabs become spaces', 'a\nb\r\nc\td', 'a b  c d'],
    ['bell, backspace, NUL and DEL', '\u0007be\u0008ll\u0000\u007f', 'bell'],
    ['other C1 controls', 'a\u0085b\u008dc', 'abc'],
    ['bidirectional overrides', 'invoice\u202Etxt.exe\u2066x\u2069', 'invoicetxt.exex'],
    [
      'ordinary text, accents and symbols',
      'acme/api ünïcödé ✓ 日本 — 42%',
      'acme/api ünïcödé ✓ 日本 — 42%',
    ],
  ])('removes %s', (_name, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it('cleans every string of a value, keys included, and leaves other values alone', () => {
    const input = {
      n: 1,
      none: null,
      ok: true,
      list: ['\u001b[1mbold', 2],
      nested: { ['key\u001b[0m']: 'v\u0007' },
    };
    expect(terminalSafe(input)).toEqual({
      n: 1,
      none: null,
      ok: true,
      list: ['bold', 2],
      nested: { key: 'v' },
    });
  });
});
