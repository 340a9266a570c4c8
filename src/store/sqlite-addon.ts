import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let found: { nativeBinding?: string } | undefined;

/**
 * better-sqlite3's options naming its compiled addon where installs put it: left to itself, better-sqlite3
 * finds the addon with the `bindings` package, which builds a stack trace and probes a dozen folders, a
 * millisecond or two of every command that opens a database. Empty when the addon is elsewhere (a build of
 * one's own): better-sqlite3 then looks as usual.
 */
export function sqliteAddon(): { nativeBinding?: string } {
  if (found) return found;
  try {
    const addon = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    found = existsSync(addon) ? { nativeBinding: addon } : {};
  } catch {
    found = {};
  }
  return found;
}
