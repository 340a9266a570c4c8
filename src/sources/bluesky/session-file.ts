import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What is kept between polls: the session's tokens (secrets) and how many logins were made today. */
export interface StoredSession {
  accessJwt: string;
  refreshJwt: string;
  did: string;
  handle: string;
  active?: boolean;
  /** createSession calls on `day` (UTC): Bluesky allows about 100 a day per account. */
  logins?: { day: string; count: number };
}

/**
 * `$XDG_STATE_HOME/brandwatch/bluesky-<account>-<service>.json`, readable by the user only: the session
 * survives between cron polls, so `poll` refreshes it instead of logging in every run.
 */
export function sessionFilePath(env: NodeJS.ProcessEnv, serviceUrl: string, identifier: string): string {
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
  const account = identifier.replace(/^@/, '').toLowerCase().replace(/[^a-z0-9.-]/g, '_').slice(0, 80);
  const service = createHash('sha256').update(serviceUrl).digest('hex').slice(0, 8);
  return join(state, 'brandwatch', `bluesky-${account}-${service}.json`);
}

export function readSession(path: string): StoredSession | null {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredSession>;
    if (typeof data.accessJwt !== 'string' || typeof data.refreshJwt !== 'string' || typeof data.did !== 'string' || typeof data.handle !== 'string') return null;
    return data as StoredSession;
  } catch {
    return null;
  }
}

/** Written whole (temp file, then rename) with mode 0600 in a 0700 folder. */
export function writeSession(path: string, session: StoredSession): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(session), { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export function removeSession(path: string): void {
  rmSync(path, { force: true });
}
