import pg from 'pg';
import { describe } from 'vitest';

/**
 * The throw-away PostgreSQL server of this run (test/setup/postgres.ts): its superuser URL, or why there is
 * none. A server that should have started but did not fails the PostgreSQL suites rather than skipping them.
 */
export function testServerUrl(): string | null {
  const failed = process.env.BRANDWATCH_TEST_POSTGRES_ERROR;
  if (failed) throw new Error(`the throw-away PostgreSQL server did not start: ${failed}`);
  return process.env.BRANDWATCH_TEST_POSTGRES ?? null;
}

export function postgresSkipReason(): string | null {
  if (process.env.BRANDWATCH_TEST_POSTGRES_ERROR) return null;
  return process.env.BRANDWATCH_TEST_POSTGRES ? null : (process.env.BRANDWATCH_TEST_POSTGRES_SKIPPED ?? 'no PostgreSQL test server');
}

/** `describe` on PostgreSQL: skipped, saying why, when no server binaries are installed. */
export function describePostgres(name: string, fn: () => void): void {
  const reason = postgresSkipReason();
  if (reason) {
    process.stderr.write(`skipping "${name}" on PostgreSQL: ${reason}\n`);
    describe.skip(`${name} (PostgreSQL: ${reason})`, fn);
  } else describe(name, fn);
}

let created = 0;

/** A new empty database on the test server, owned by its superuser; the URL to it (with the password). */
export async function freshDatabase(prefix = 'bw'): Promise<string> {
  const admin = testServerUrl();
  if (!admin) throw new Error('no PostgreSQL test server');
  const name = `${prefix}_${process.pid}_${++created}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A new database on the test server that starts as a copy of `template` (a database nobody is connected to):
 * `CREATE DATABASE … TEMPLATE`, a file copy on the server, much cheaper than building the same content again.
 */
export async function cloneDatabase(template: string, prefix = 'bw'): Promise<string> {
  const admin = testServerUrl();
  if (!admin) throw new Error('no PostgreSQL test server');
  const source = new URL(template).pathname.slice(1);
  const name = `${prefix}_${process.pid}_${++created}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(admin, `CREATE DATABASE ${name} TEMPLATE ${source}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

let migrated: Promise<string> | null = null;

/**
 * A new database holding the current schema and no rows, as `openStore` leaves an empty database: a clone of
 * one this process migrated once. For tests about what is done with a store, not about how it was created
 * (those use `freshDatabase`, which stays empty).
 */
export async function migratedDatabase(prefix = 'bw'): Promise<string> {
  migrated ??= (async () => {
    const url = await freshDatabase('schema_template');
    const { openStore } = await import('../../src/store/open.js');
    await (await openStore(url)).close();
    return url;
  })();
  return cloneDatabase(await migrated, prefix);
}

/** Run statements as the superuser on a database (roles, grants, foreign tables for the refusal tests). */
export async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}
