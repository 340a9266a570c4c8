/**
 * The PostgreSQL engine (team mode): a `pg` connection pool behind the Engine interface. Statements are the
 * store's common SQL rewritten to `$n` placeholders (postgres-sql.ts); a transaction runs on one checked-out
 * connection; streams read a server-side cursor in batches; named locks are session advisory locks, each on
 * its own connection so a lock outlives no process (the server drops it with the connection).
 *
 * Where the server is and who connects come from the URL and from PostgreSQL's own environment (PGHOST,
 * PGPORT, PGUSER, PGPASSWORD, PGSSLMODE, …) and ~/.pgpass (or PGPASSFILE), as psql reads them; TLS settings
 * in the URL (`sslmode`, `sslrootcert`, …) pass through. A password in the URL works but is never shown:
 * `location` is the URL without it, and every message is scrubbed of it.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { parse as parseConnectionString, toClientConfig } from 'pg-connection-string';
import pgpass from 'pgpass';
import { StoreError } from '../errors.js';
import type { Engine, EngineLock, Params, RunResult } from './engine.js';
import { redactUrl, scrub, translatePostgresError } from './postgres-errors.js';
import { toPostgres } from './postgres-sql.js';

/** Rows fetched from a cursor per round trip when streaming. */
const STREAM_BATCH = 1000;

/** Connections one process keeps: a CLI command runs a few statements at a time. */
const POOL_SIZE = 4;

const INT8 = 20;
const NUMERIC = 1700;
const BOOL = 16;

/** int8 and numeric as JavaScript numbers (times, counts, sums), refused past 2^53 rather than rounded. */
function toSafeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) && Number.isInteger(value)) {
    throw new StoreError(`a stored integer (${text}) is beyond 2^53 and cannot be read exactly; platform ids are text, so this is a damaged or foreign value`);
  }
  return value;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format === 'binary') return pg.types.getTypeParser(oid, 'binary');
    if (oid === INT8 || oid === NUMERIC) return toSafeNumber;
    if (oid === BOOL) return (text: string) => (text === 't' ? 1 : 0);
    return pg.types.getTypeParser(oid, 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export { isPostgresUrl } from './postgres-url.js';

/** The pool's settings from the URL; what the URL leaves out, node-postgres takes from PG* variables. */
export function connectionConfig(url: string): pg.PoolConfig {
  let parsed: pg.ClientConfig;
  try {
    // libpq's meaning of sslmode (require = encrypted, verify-full = encrypted to the named, trusted server), as psql.
    parsed = toClientConfig(parseConnectionString(url, { useLibpqCompat: true }));
  } catch (error) {
    throw new StoreError(`${redactUrl(url)}: not a usable PostgreSQL URL (${scrub((error as Error).message, url)}); write it as postgres://user@host:5432/database`);
  }
  // What the URL leaves out (empty), node-postgres takes from PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE.
  const fromUrl = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  const config: pg.PoolConfig = { application_name: 'brandwatch', ...fromUrl, types, max: POOL_SIZE };
  if (config.password === undefined) {
    // As libpq: PGPASSWORD, else the password file's (~/.pgpass or PGPASSFILE) entry for this host, port, database and user.
    config.password = ((params: PasswordLookup) => {
      if (process.env.PGPASSWORD !== undefined) return Promise.resolve(process.env.PGPASSWORD);
      return new Promise<string | undefined>((resolve) => pgpass(params, resolve));
    }) as unknown as pg.PoolConfig['password'];
  }
  return config;
}

interface PasswordLookup {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
}

/** A stable advisory lock key for a name: the same in every process and on every machine. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`brandwatch:${name}`).digest().readBigInt64BE(0).toString();
}

/** What statements run on: the pool (each statement on any free connection) or one transaction's connection. */
interface Runner {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
}

class PostgresStatements implements Engine {
  readonly kind = 'postgres' as const;

  constructor(
    protected readonly shared: Shared,
    private readonly runner: Runner,
    /** The transaction's connection, or null outside one. */
    private readonly client: pg.PoolClient | null,
    private readonly depth: number,
  ) {}

  get location(): string {
    return this.shared.location;
  }

  protected async query(sql: string, params: Params | undefined, rowMode?: 'array'): Promise<pg.QueryResult> {
    const { text, values } = toPostgres(sql, params);
    try {
      return await this.runner.query({ text, values, ...(rowMode ? { rowMode } : {}), types });
    } catch (error) {
      throw this.shared.translate(error);
    }
  }

  async all<R = Record<string, unknown>>(sql: string, params?: Params): Promise<R[]> {
    return (await this.query(sql, params)).rows as R[];
  }

  async get<R = Record<string, unknown>>(sql: string, params?: Params): Promise<R | undefined> {
    return (await this.query(sql, params)).rows[0] as R | undefined;
  }

  async rows<R extends unknown[] = unknown[]>(sql: string, params?: Params): Promise<R[]> {
    return (await this.query(sql, params, 'array')).rows as R[];
  }

  async run(sql: string, params?: Params): Promise<RunResult> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async batch(steps: readonly (readonly [sql: string, params?: Params])[]): Promise<RunResult[]> {
    const results: RunResult[] = [];
    for (const [sql, params] of steps) results.push(await this.run(sql, params));
    return results;
  }

  async exec(sql: string): Promise<void> {
    try {
      // A simple query (no values): the server runs every statement in it.
      await (this.client ?? this.shared.pool).query(sql);
    } catch (error) {
      throw this.shared.translate(error);
    }
  }

  async *stream<R extends unknown[] = unknown[]>(sql: string, params?: Params): AsyncIterable<R> {
    for await (const batch of this.batches<R>(sql, params)) yield* batch;
  }

  async *batches<R extends unknown[] = unknown[]>(sql: string, params?: Params): AsyncIterable<R[]> {
    const { text, values } = toPostgres(sql, params);
    // Outside a transaction the cursor needs a connection of its own for as long as it is read.
    const client = this.client ?? (await this.shared.connect());
    const cursor = client.query(new Cursor<R>(text, values, { rowMode: 'array', types }));
    try {
      for (;;) {
        let batch: R[];
        try {
          batch = await cursor.read(STREAM_BATCH);
        } catch (error) {
          throw this.shared.translate(error);
        }
        if (batch.length === 0) break;
        yield batch;
      }
    } finally {
      await cursor.close().catch(() => {});
      if (!this.client) client.release();
    }
  }

  async transaction<T>(fn: (tx: Engine) => Promise<T>): Promise<T> {
    if (this.client) {
      // Nested: a savepoint on the same connection.
      const savepoint = `bw_${this.depth + 1}`;
      const inner = new PostgresStatements(this.shared, this.client, this.client, this.depth + 1);
      await inner.exec(`SAVEPOINT ${savepoint}`);
      try {
        const result = await fn(inner);
        await inner.exec(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        await this.client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => {});
        throw error;
      }
    }
    const client = await this.shared.connect();
    const tx = new PostgresStatements(this.shared, client, client, 0);
    let broken = false;
    try {
      await tx.exec('BEGIN');
      const result = await fn(tx);
      await tx.exec('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      // A connection whose rollback failed is dropped, never handed to the next caller mid-transaction.
      client.release(broken);
    }
  }

  async tryLock(name: 'poll' | 'alert-delivery'): Promise<EngineLock | null> {
    return this.shared.tryLock(name);
  }

  async close(): Promise<void> {
    await this.shared.close();
  }
}

/** What the engine and its transaction handles share: the pool, the location, the lock connections. */
class Shared {
  readonly pool: pg.Pool;
  private closed = false;
  private readonly locks = new Set<pg.Client>();

  constructor(
    readonly url: string,
    readonly location: string,
    private readonly config: pg.PoolConfig,
  ) {
    this.pool = new pg.Pool(config);
    // An idle connection the server dropped (restart, admin): the next query reconnects; nothing to crash.
    this.pool.on('error', () => {});
  }

  translate(error: unknown): unknown {
    return translatePostgresError(error, this.url, this.location);
  }

  async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw this.translate(error);
    }
  }

  async tryLock(name: string): Promise<EngineLock | null> {
    // Its own connection, not the pool's: the lock is the session's, held for as long as the poll runs.
    const client = new pg.Client(this.config);
    client.on('error', () => {});
    try {
      await client.connect();
      const row = (await client.query({ text: 'SELECT pg_try_advisory_lock($1::bigint) AS got', values: [advisoryKey(name)], types })).rows[0] as { got: number };
      if (!row.got) {
        await client.end();
        return null;
      }
    } catch (error) {
      await client.end().catch(() => {});
      throw this.translate(error);
    }
    this.locks.add(client);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        this.locks.delete(client);
        // Ending the session releases its advisory locks.
        await client.end().catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.locks].map((c) => c.end().catch(() => {})));
    await this.pool.end();
  }
}

export class PostgresEngine extends PostgresStatements {
  constructor(url: string) {
    const config = connectionConfig(url);
    const shared = new Shared(url, redactUrl(url), config);
    super(shared, shared.pool, null, 0);
  }

  /** Connects once, so a wrong host, user or database is reported before any command works. */
  async ping(): Promise<void> {
    await this.get('SELECT 1 AS ok');
  }
}

/** Open an engine on the URL and check that the server answers. */
export async function openPostgresEngine(url: string): Promise<PostgresEngine> {
  const engine = new PostgresEngine(url);
  try {
    await engine.ping();
  } catch (error) {
    await engine.close().catch(() => {});
    throw error;
  }
  return engine;
}
