/**
 * Where Debian's Chromium is, or a failure that says how to get it. Shared by the global setup
 * (so a missing browser fails the run before any test) and the harness.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const INSTALL_CHROMIUM_HINT =
  "The browser tests need Debian's Chromium: install it with `apt-get install -y chromium` (as root) " +
  '(or point CHROMIUM_PATH at a Chromium binary).';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `$CHROMIUM_PATH`, else `command -v chromium`, else /usr/bin/chromium; throws if none runs. */
export function chromiumExecutablePath(): string {
  const override = process.env.CHROMIUM_PATH;
  if (override !== undefined && override !== '') {
    if (isExecutable(override)) return override;
    throw new Error(
      `CHROMIUM_PATH=${override} is not an executable file. ${INSTALL_CHROMIUM_HINT}`,
    );
  }
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((directory) => directory !== '')
    .map((directory) => join(directory, 'chromium'));
  const found = [...onPath, '/usr/bin/chromium'].find(isExecutable);
  if (found === undefined)
    throw new Error(`No \`chromium\` command found. ${INSTALL_CHROMIUM_HINT}`);
  return found;
}
