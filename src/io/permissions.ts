import { statSync } from 'node:fs';

/** Warn when a file holding brand data is readable by other users. */
export function permissionWarnings(path: string, what: string): string[] {
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0) {
      return [`${path}: the ${what} is readable by other users; run \`chmod 600 ${path}\``];
    }
  } catch {
    // A file that cannot be stat'ed is reported by whoever opens it.
  }
  return [];
}
