/**
 * The one interface every store function talks to, with two engines behind it: SQLite (the embedded
 * default, a file) and PostgreSQL (team mode, a `postgres://` URL). Store functions take an `Engine` and
 * are async; nothing outside `src/store/` writes SQL.
 *
 * SQL is written once, in the common dialect both engines run: placeholders are `?` (params an array) or
 * `@name` (params an object), rewritten to `$n` for PostgreSQL outside string literals. Where the engines
 * differ (a scalar `max(a, b)`, case-insensitive matching, JSON arrays, full-text search), the store asks
 * `engine.kind` through the helpers of `src/store/dialect.ts` rather than writing either dialect inline.
 *
 * Values: integers are JavaScript numbers on both engines (times are epoch milliseconds, ids are row ids;
 * PostgreSQL's int8 is parsed to a number and refused if it is beyond 2^53); platform ids are text; JSON is
 * stored as text so it comes back byte for byte; booleans are 0/1 integers.
 */
export type EngineKind = 'sqlite' | 'postgres';

/** Positional values for `?`, or named values for `@name`. */
export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
}

export interface Engine {
  readonly kind: EngineKind;
  /** Where the data lives, for messages: the file path, or the URL with any password removed. */
  readonly location: string;
  /** Every row, as objects keyed by column name. */
  all<R = Record<string, unknown>>(sql: string, params?: Params): Promise<R[]>;
  /** The first row, or undefined. */
  get<R = Record<string, unknown>>(sql: string, params?: Params): Promise<R | undefined>;
  /** Rows as arrays in the SELECT's column order (the report's and the export's hot paths). */
  rows<R extends unknown[] = unknown[]>(sql: string, params?: Params): Promise<R[]>;
  /** Rows as arrays, streamed without holding the whole result (SQLite iterates, PostgreSQL reads a cursor in batches). */
  stream<R extends unknown[] = unknown[]>(sql: string, params?: Params): AsyncIterable<R>;
  /**
   * The same stream a batch of rows at a time: a hot loop over a big result reads each batch synchronously,
   * where `for await` over `stream` costs a promise per row.
   */
  batches<R extends unknown[] = unknown[]>(sql: string, params?: Params): AsyncIterable<R[]>;
  /** One statement that returns no rows (use `get`/`all` with RETURNING for new ids). */
  run(sql: string, params?: Params): Promise<RunResult>;
  /**
   * Statements that return no rows, each with its values, run in order (a page of inserts): SQLite runs them
   * synchronously in one call, in one transaction, where a `run` each would cost an awaited promise per row;
   * PostgreSQL runs them one after the other on the connection.
   */
  batch(steps: readonly (readonly [sql: string, params?: Params])[]): Promise<RunResult[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Run `fn` in one transaction on one connection; commits when it resolves, rolls back when it throws.
   * Statements issued through `tx` belong to the transaction; on SQLite other callers wait until it ends.
   * Nested calls on `tx` run inside the same transaction.
   */
  transaction<T>(fn: (tx: Engine) => Promise<T>): Promise<T>;
  /**
   * A named lock held until released, across processes and machines sharing this database (SQLite: a lock
   * file beside the database; PostgreSQL: a session advisory lock on its own connection). Null when another
   * holder has it: the caller exits 75 at once rather than waiting.
   */
  tryLock(name: 'poll' | 'alert-delivery'): Promise<EngineLock | null>;
  /**
   * A deterministic scalar SQL function computed in JavaScript, for this connection (the business clock's
   * elapsed time and deadlines). SQLite only: an engine without it cannot run queries on a business clock.
   */
  defineFunction?(name: string, fn: (...args: unknown[]) => unknown): void;
  close(): Promise<void>;
}

export interface EngineLock {
  release(): Promise<void>;
}
