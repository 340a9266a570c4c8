import Database from 'better-sqlite3';
import { join } from 'node:path';
import { runInProcess, type InProcessResult } from './run.js';

/** Rows of a query on a test's database, read-only. */
export function rowsIn(dir: string, sql: string): Record<string, unknown>[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Wait until a condition holds (what happened, never how long it took); fails naming what never came. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `watch --stream` in this process on the test's config and database; `stop` aborts it as SIGTERM does. */
export function watchStream(dir: string, env: Record<string, string>, ...args: string[]): ReturnType<typeof watchStreamWith> {
  return watchStreamWith({ dir, env }, ...args);
}

/** `watchStream` with more of runInProcess's options (a terminal; a database elsewhere than `bw.db` in `dir`, such as a PostgreSQL URL). */
export function watchStreamWith(options: { dir: string; env: Record<string, string>; tty?: boolean; db?: string }, ...args: string[]): { stop: () => Promise<InProcessResult>; output: Promise<InProcessResult> } {
  const { dir, env } = options;
  const controller = new AbortController();
  const output = runInProcess(['--config', join(dir, 'config.yml'), '--db', options.db ?? join(dir, 'bw.db'), 'watch', '--stream', '--every', '1m', ...args], {
    env,
    ...(options.tty ? { tty: true, columns: 200 } : {}),
    signal: controller.signal,
    // Waits are short in real time (the pacing clock still advances by the whole wait).
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 25))),
  });
  return {
    output,
    stop: async () => {
      controller.abort();
      return output;
    },
  };
}

/** `watch --json`'s lines, parsed. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
