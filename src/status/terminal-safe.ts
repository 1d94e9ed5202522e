/* eslint-disable no-control-regex -- matching control characters is this module's purpose */

/**
 * Terminal escape sequences, 7-bit and 8-bit: CSI (`ESC [ … final`, colours, cursor moves,
 * screen clears), the string commands OSC, DCS, SOS, PM and APC (`ESC ] … BEL` sets the window
 * title or writes hyperlinks and the clipboard), and the other `ESC` sequences.
 */
const ESCAPE_SEQUENCE = new RegExp(
  [
    '(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]',
    '(?:\\u001b[P\\]X^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?',
    '\\u001b[ -/]*[0-~]',
  ].join('|'),
  'g',
);

/** What is left to drop: C0 and C1 controls, DEL, and the bidirectional overrides and isolates
 * that make text display in another order than it reads (CVE-2021-42574). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` with every string in it made safe to print on a terminal: escape sequences removed,
 * line breaks and tabs turned into spaces (a value cannot start a line of its own), other
 * control characters dropped. For text that came from elsewhere (workflow files, GitHub,
 * Modal, a server's JSON) before it reaches a terminal. Objects and arrays are copied.
 */
export function terminalSafe<T>(value: T): T {
  if (typeof value === 'string') {
    return value
      .replace(ESCAPE_SEQUENCE, '')
      .replace(CONTROL, (c) => (c === '\n' || c === '\r' || c === '\t' ? ' ' : '')) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => terminalSafe(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [terminalSafe(k), terminalSafe(v)]),
    ) as T;
  }
  return value;
}
