/** The variable a private-key problem is about: the one set, or both when neither is. */
export function privateKeyVariable(e: {
  readonly PRIVATE_KEY?: string;
  readonly PRIVATE_KEY_PATH?: string;
}): string {
  if (e.PRIVATE_KEY) return 'PRIVATE_KEY';
  return e.PRIVATE_KEY_PATH ? 'PRIVATE_KEY_PATH' : 'PRIVATE_KEY or PRIVATE_KEY_PATH';
}

/**
 * The App's private key (PEM): PRIVATE_KEY (a literal `\n` stands for a line break) or the file at
 * PRIVATE_KEY_PATH. Throws a message that says how to fix it.
 */
export function resolvePrivateKey(
  e: { readonly PRIVATE_KEY?: string; readonly PRIVATE_KEY_PATH?: string },
  readFile: (path: string) => string,
): string {
  let key: string;
  if (e.PRIVATE_KEY) {
    key = e.PRIVATE_KEY.replace(/\\n/g, '\n');
  } else if (e.PRIVATE_KEY_PATH) {
    try {
      key = readFile(e.PRIVATE_KEY_PATH);
    } catch (error) {
      throw new Error(
        `cannot read "${e.PRIVATE_KEY_PATH}" (${(error as NodeJS.ErrnoException).code ?? 'error'}); point it at the .pem file downloaded from the App settings page`,
        { cause: error },
      );
    }
  } else {
    throw new Error(
      'is required: set PRIVATE_KEY to the App private key (PEM) or PRIVATE_KEY_PATH to its .pem file ' +
        '(App settings → "Generate a private key")',
    );
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw new Error(
      'is not a PEM private key; download one from the App settings page ("Generate a private key")',
    );
  }
  return key;
}
