/**
 * The SQLite engine: one better-sqlite3 connection behind the async Engine interface. better-sqlite3 is
 * synchronous, so a statement runs to completion before its promise is returned; what needs care is the
 * time between statements. A transaction spans awaits, and on one connection every statement issued
 * meanwhile would join it: the gate below makes every caller outside the transaction wait until it ends.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Engine, EngineLock, Params, RunResult } from './engine.js';
import { takeNamedLock } from './lock.js';
import { translateSqliteError } from './sqlite-errors.js';

/** Errors that were SQLite's "busy" (another connection holds the write lock), after translation. */
const BUSY = new WeakSet<object>();

function isBusy(error: unknown): boolean {
  return String((error as { code?: string } | null)?.code ?? '').startsWith('SQLITE_BUSY');
}

/**
 * Rows read from a stream before it lets the event loop run (other sources, timers, signals). A batch lives
 * until the consumer has written it: 2,000 rows of a 1M-row export kept its peak RSS at ~165 MB, 512 at
 * ~140 MB, at the same speed.
 */
const STREAM_BATCH = 512;

/** First come, first served: a transaction holds the gate; callers outside it queue for it. */
class Gate {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  /** Nobody holds it and nobody waits: a statement may run at once. */
  get free(): boolean {
    return !this.held && this.waiters.length === 0;
  }

  async acquire(): Promise<void> {
    if (this.free) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}

/**
 * The transaction the running code is inside, per connection. A statement sent to the engine itself from
 * inside a transaction's callback would wait for that very transaction to end: refused at once instead.
 */
const insideTransaction = new AsyncLocalStorage<object>();

/** A turn that reads without a cached statement (a stream prepares its own). */
const READS = Symbol('reads');

/** Statements prepared once per connection, in both shapes: objects by column, or raw arrays. */
class StatementCache {
  private readonly objects = new Map<string, Statement>();
  private readonly arrays = new Map<string, Statement>();
  constructor(private readonly db: Database.Database) {}

  get(sql: string, raw: boolean): Statement {
    const cache = raw ? this.arrays : this.objects;
    let prepared = cache.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      if (raw) prepared.raw(true);
      cache.set(sql, prepared);
    }
    return prepared;
  }
}

function bind(params: Params | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? (params as unknown[]) : [params];
}

/** The connection as statements see it: shared by the engine and every transaction handle on it. */
class Connection {
  readonly gate = new Gate();
  readonly statements: StatementCache;
  /** The open transaction's token (see insideTransaction), while one is open. */
  active: object | null = null;
  /** Streams still reading: the connection refuses writes until they end. */
  openStreams = 0;
  private readonly streamWaiters: (() => void)[] = [];
  private savepoints = 0;

  constructor(
    readonly db: Database.Database,
    readonly location: string,
  ) {
    this.statements = new StatementCache(db);
  }

  /** Runs one statement now, translating SQLite's failures. */
  now<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      const translated = translateSqliteError(error, this.location);
      if (isBusy(error)) BUSY.add(translated as object);
      throw translated;
    }
  }

  prepare(sql: string, raw: boolean): Statement {
    return this.now(() => this.statements.get(sql, raw));
  }

  /** A write must not start while a stream holds the connection's read cursor open. */
  async streamsDone(): Promise<void> {
    while (this.openStreams > 0) await new Promise<void>((resolve) => this.streamWaiters.push(resolve));
  }

  streamEnded(): void {
    this.openStreams--;
    if (this.openStreams === 0) for (const wake of this.streamWaiters.splice(0)) wake();
  }

  nextSavepoint(): string {
    return `bw_${++this.savepoints}`;
  }
}

/** What statements do, shared by the engine (outside any transaction) and a transaction's handle. */
abstract class Statements implements Engine {
  readonly kind = 'sqlite' as const;

  constructor(protected readonly conn: Connection) {}

  get location(): string {
    return this.conn.location;
  }

  /**
   * Runs `work` on the prepared `sql` when it is this statement's turn (prepared then, so a table created by a
   * transaction it waited for is there). A write (anything but a read-only statement; `sql` null: a script)
   * also waits for open streams.
   */
  protected abstract turn<T>(sql: string | null | typeof READS, raw: boolean, work: (statement: Statement) => T): Promise<T>;

  /** The statement and whether it writes (a script of several statements, `sql` null, is taken as writing). */
  protected prepared(sql: string | null | typeof READS, raw: boolean): { statement: Statement; write: boolean } {
    if (sql === null || sql === READS) return { statement: null as unknown as Statement, write: sql === null };
    const statement = this.conn.prepare(sql, raw);
    return { statement, write: !statement.readonly };
  }

  async all<R = Record<string, unknown>>(sql: string, params?: Params): Promise<R[]> {
    return this.turn(sql, false, (statement) => this.conn.now(() => statement.all(...bind(params)) as R[]));
  }

  async get<R = Record<string, unknown>>(sql: string, params?: Params): Promise<R | undefined> {
    return this.turn(sql, false, (statement) => this.conn.now(() => statement.get(...bind(params)) as R | undefined));
  }

  async rows<R extends unknown[] = unknown[]>(sql: string, params?: Params): Promise<R[]> {
    return this.turn(sql, true, (statement) => this.conn.now(() => statement.all(...bind(params)) as R[]));
  }

  async run(sql: string, params?: Params): Promise<RunResult> {
    return this.turn(sql, false, (statement) => this.conn.now(() => ({ changes: statement.run(...bind(params)).changes })));
  }

  async exec(sql: string): Promise<void> {
    return this.turn(null, false, () => this.conn.now(() => void this.conn.db.exec(sql)));
  }

  abstract batch(steps: readonly (readonly [sql: string, params?: Params])[]): Promise<RunResult[]>;

  /** The batch's statements one after another, synchronously: no other statement of this connection runs between them. */
  protected runSteps(steps: readonly (readonly [sql: string, params?: Params])[]): RunResult[] {
    return steps.map(([sql, params]) => {
      const statement = this.conn.prepare(sql, false);
      return { changes: this.conn.now(() => statement.run(...bind(params)).changes) };
    });
  }

  async *stream<R extends unknown[] = unknown[]>(sql: string, params?: Params): AsyncIterable<R> {
    for await (const batch of this.batches<R>(sql, params)) yield* batch;
  }

  async *batches<R extends unknown[] = unknown[]>(sql: string, params?: Params): AsyncIterable<R[]> {
    // Its own statement, not the cached one: an iterating statement cannot run again until it is done.
    const iterator = await this.turn(READS, true, () => {
      const statement = this.conn.now(() => this.conn.db.prepare(sql).raw(true));
      const it = this.conn.now(() => statement.iterate(...bind(params)) as IterableIterator<R>);
      this.conn.openStreams++;
      return it;
    });
    try {
      for (;;) {
        const batch: R[] = [];
        let done = false;
        this.conn.now(() => {
          while (batch.length < STREAM_BATCH) {
            const next = iterator.next();
            if (next.done) {
              done = true;
              break;
            }
            batch.push(next.value);
          }
        });
        if (batch.length > 0) yield batch;
        if (done) return;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      iterator.return?.();
      this.conn.streamEnded();
    }
  }

  defineFunction(name: string, fn: (...args: unknown[]) => unknown): void {
    this.conn.db.function(name, { deterministic: true }, fn);
  }

  abstract transaction<T>(fn: (tx: Engine) => Promise<T>): Promise<T>;
  abstract tryLock(name: 'poll' | 'alert-delivery'): Promise<EngineLock | null>;
  abstract close(): Promise<void>;

  /** Runs `fn` between `begin` and `commit`; rolls back with `rollback` when it throws. */
  protected async wrapped<T>(fn: (tx: Engine) => Promise<T>, begin: string | (() => Promise<void>), commit: string, rollback: string): Promise<T> {
    const tx = new TransactionHandle(this.conn, this);
    if (typeof begin === 'string') this.conn.now(() => this.conn.db.exec(begin));
    else await begin();
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      tx.end();
      // A failed COMMIT or a constraint may already have ended the transaction.
      if (this.conn.db.inTransaction) this.conn.now(() => this.conn.db.exec(rollback));
      throw error;
    }
    tx.end();
    try {
      this.conn.now(() => this.conn.db.exec(commit));
    } catch (error) {
      if (this.conn.db.inTransaction) this.conn.db.exec(rollback);
      throw error;
    }
    return result;
  }
}

/** Statements inside an open transaction: they run at once (the transaction holds the gate). */
class TransactionHandle extends Statements {
  private ended = false;
  /** Nested transactions on this handle run one after the other, each in its own savepoint. */
  private readonly nested = new Gate();

  constructor(
    conn: Connection,
    private readonly parent: Engine,
  ) {
    super(conn);
  }

  end(): void {
    this.ended = true;
  }

  protected async turn<T>(sql: string | null | typeof READS, raw: boolean, work: (statement: Statement) => T): Promise<T> {
    if (this.ended) throw new Error('a transaction handle was used after its transaction ended (use the engine, not the handle)');
    const { statement, write } = this.prepared(sql, raw);
    if (write && this.conn.openStreams > 0) await this.conn.streamsDone();
    return work(statement);
  }

  async batch(steps: readonly (readonly [sql: string, params?: Params])[]): Promise<RunResult[]> {
    return this.turn(null, false, () => this.runSteps(steps));
  }

  async transaction<T>(fn: (tx: Engine) => Promise<T>): Promise<T> {
    if (this.ended) throw new Error('a transaction handle was used after its transaction ended (use the engine, not the handle)');
    await this.nested.acquire();
    try {
      const name = this.conn.nextSavepoint();
      return await this.wrapped(fn, `SAVEPOINT ${name}`, `RELEASE ${name}`, `ROLLBACK TO ${name}; RELEASE ${name}`);
    } finally {
      this.nested.release();
    }
  }

  tryLock(name: 'poll' | 'alert-delivery'): Promise<EngineLock | null> {
    return this.parent.tryLock(name);
  }

  async close(): Promise<void> {
    throw new Error('close the engine, not a transaction handle');
  }
}

/** The SQLite engine over one open better-sqlite3 connection (opened and migrated by src/store/open.ts). */
export class SqliteEngine extends Statements {
  constructor(db: Database.Database, location: string) {
    super(new Connection(db, location));
  }

  /** The connection itself, for the store's SQLite-only housekeeping (open, migrate, doctor). */
  get connection(): Database.Database {
    return this.conn.db;
  }

  protected async turn<T>(sql: string | null | typeof READS, raw: boolean, work: (statement: Statement) => T): Promise<T> {
    const { gate } = this.conn;
    if (this.conn.active !== null && insideTransaction.getStore() === this.conn.active) throw outsideItsTransaction();
    if (gate.free) {
      // The common case costs nothing: no transaction open or waiting, so a read runs now.
      const { statement, write } = this.prepared(sql, raw);
      if (!write) return work(statement);
    }
    await gate.acquire();
    try {
      const { statement, write } = this.prepared(sql, raw);
      if (!write) return work(statement);
      await this.conn.streamsDone();
      return await this.patiently(() => work(statement));
    } finally {
      gate.release();
    }
  }

  /**
   * A write (or BEGIN IMMEDIATE), waiting for another connection's write lock without blocking the event loop:
   * SQLite's own busy wait would also stop this process's other connections, one of which may hold that lock
   * in an open transaction. As long as the connection's busy timeout, then SQLite's busy error. Called holding
   * the gate, so no other statement of this connection sees the busy timeout lowered.
   */
  private async patiently<T>(work: () => T): Promise<T> {
    const { db } = this.conn;
    const timeout = Number(db.pragma('busy_timeout', { simple: true }));
    const deadline = performance.now() + timeout;
    db.pragma('busy_timeout = 0');
    try {
      for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
        try {
          return work();
        } catch (error) {
          if (!BUSY.has(error as object) || performance.now() >= deadline) throw error;
        }
        await new Promise<void>((resolve) => setTimeout(resolve, pause));
      }
    } finally {
      db.pragma(`busy_timeout = ${timeout}`);
    }
  }

  /** In a transaction of its own: a busy database is waited for before the first step, never between two. */
  async batch(steps: readonly (readonly [sql: string, params?: Params])[]): Promise<RunResult[]> {
    return this.transaction((tx) => tx.batch(steps));
  }

  async transaction<T>(fn: (tx: Engine) => Promise<T>): Promise<T> {
    const { gate } = this.conn;
    if (this.conn.active !== null && insideTransaction.getStore() === this.conn.active) throw outsideItsTransaction();
    await gate.acquire();
    try {
      await this.conn.streamsDone();
      const token = {};
      this.conn.active = token;
      return await insideTransaction.run(token, () => this.wrapped(fn, () => this.begin(), 'COMMIT', 'ROLLBACK'));
    } finally {
      this.conn.active = null;
      gate.release();
    }
  }

  /**
   * BEGIN IMMEDIATE, waiting for another connection's write transaction without blocking the event loop (see
   * `patiently`).
   */
  private async begin(): Promise<void> {
    await this.patiently(() => this.conn.now(() => void this.conn.db.exec('BEGIN IMMEDIATE')));
  }

  async tryLock(name: 'poll' | 'alert-delivery'): Promise<EngineLock | null> {
    const lock = takeNamedLock(this.conn.location, name);
    return lock ? { release: async () => lock.release() } : null;
  }

  async close(): Promise<void> {
    if (this.conn.db.open) this.conn.db.close();
  }
}

function outsideItsTransaction(): Error {
  return new Error('a statement was sent to the engine from inside one of its transactions; pass the transaction handle (tx) down instead');
}
