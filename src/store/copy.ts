/**
 * Copying a whole store from one engine to another (`migrate-store`: a SQLite file into an empty PostgreSQL
 * database). Every table of the source schema is copied row for row — ids included, so every reference
 * stays right — in one transaction on the target, in batches; then each identity moves past the highest id,
 * and each table's row count and checksum are compared on both sides before the commit. A difference rolls
 * everything back. The source is only read.
 *
 * The checksum of a table is order-free (the sum, modulo 2^64, of a hash of each row's values), because
 * the two engines sort text differently; with the row count it shows a lost, doubled or altered row.
 */
import { createHash } from 'node:crypto';
import { RuntimeFailure, StoreError, UsageError } from '../errors.js';
import type { Engine } from './engine.js';

/** Rows per INSERT: PostgreSQL takes at most 65535 values in one statement. */
const MAX_VALUES = 30_000;

export interface TableCopy {
  table: string;
  rows: number;
  checksum: string;
}

export interface CopyProgress {
  (table: string, rowsCopied: number): void;
}

/** The tables and their columns, in the source's column order, as SQLite lists them (FTS5's own tables left out). */
export async function sqliteTables(db: Engine): Promise<{ table: string; columns: string[] }[]> {
  const tables = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'mentions_fts%' ORDER BY name",
  );
  const out: { table: string; columns: string[] }[] = [];
  for (const { name } of tables) {
    const columns = await db.all<{ name: string }>('SELECT name FROM pragma_table_info(?) ORDER BY cid', [name]);
    out.push({ table: name, columns: columns.map((c) => c.name) });
  }
  // Referenced before referencing: mentions first (the copy defers foreign keys anyway).
  return out.sort((a, b) => Number(b.table === 'mentions') - Number(a.table === 'mentions'));
}

/** Tables and columns of a PostgreSQL database's schema. */
export async function postgresColumns(db: Engine): Promise<Map<string, string[]>> {
  const rows = await db.all<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.table_name, [...(out.get(r.table_name) ?? []), r.column_name]);
  return out;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A value as both engines give it back, for hashing: numbers as numbers, text as text, bytes as hex. */
function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return { bytes: value.toString('hex') };
  return value;
}

/** The order-free checksum of rows read from `stream`, and how many there were. */
async function checksum(rows: AsyncIterable<unknown[]>): Promise<{ rows: number; checksum: string }> {
  let sum = 0n;
  let count = 0;
  for await (const row of rows) {
    const digest = createHash('sha256').update(JSON.stringify(row.map(canonical))).digest();
    sum = (sum + digest.readBigUInt64BE(0)) & 0xffff_ffff_ffff_ffffn;
    count++;
  }
  return { rows: count, checksum: sum.toString(16).padStart(16, '0') };
}

/** How many rows the target already holds, per table that has any. */
export async function nonEmptyTables(db: Engine, tables: readonly string[]): Promise<{ table: string; rows: number }[]> {
  const out: { table: string; rows: number }[] = [];
  for (const table of tables) {
    const row = await db.get<{ n: number }>(`SELECT count(*) AS n FROM ${quote(table)}`);
    if (row && row.n > 0) out.push({ table, rows: row.n });
  }
  return out;
}

/**
 * Copy every table of `source` into `target`, which must have the same schema and no rows. Returns each
 * table's row count and checksum (equal on both sides, or nothing was committed).
 */
export async function copyStore(source: Engine, target: Engine, progress: CopyProgress = () => {}): Promise<TableCopy[]> {
  const tables = await sqliteTables(source);
  const targetColumns = await postgresColumns(target);
  for (const { table, columns } of tables) {
    const there = targetColumns.get(table);
    const missing = there ? columns.filter((c) => !there.includes(c)) : columns;
    if (!there || missing.length > 0) {
      throw new StoreError(`${target.location}: the target has no ${there ? `columns ${missing.join(', ')} in` : 'table'} ${table}; both stores must be at the same schema — nothing was copied`);
    }
  }
  const filled = await nonEmptyTables(target, tables.map((t) => t.table));
  if (filled.length > 0) {
    const what = filled.map((f) => `${f.rows} ${f.table}`).join(', ');
    throw new UsageError(
      `${target.location}: the database already holds brandwatch data (${what}); migrate-store copies only into an empty database — create a new one (createdb) or point --to at an empty one`,
    );
  }
  return target.transaction(async (tx) => {
    // References are checked at the commit, once every row is in.
    await tx.exec('SET CONSTRAINTS ALL DEFERRED');
    const results: TableCopy[] = [];
    for (const { table, columns } of tables) {
      const list = columns.map(quote).join(', ');
      const perBatch = Math.max(1, Math.floor(MAX_VALUES / columns.length));
      const insert = (count: number) =>
        `INSERT INTO ${quote(table)} (${list}) VALUES ${Array.from({ length: count }, () => `(${columns.map(() => '?').join(', ')})`).join(', ')}`;
      const full = insert(perBatch);
      let batch: unknown[] = [];
      let inBatch = 0;
      let copied = 0;
      for await (const row of source.stream(`SELECT ${list} FROM ${quote(table)}`)) {
        for (const value of row) batch.push(value);
        if (++inBatch === perBatch) {
          await tx.run(full, batch);
          copied += inBatch;
          progress(table, copied);
          batch = [];
          inBatch = 0;
        }
      }
      if (inBatch > 0) {
        await tx.run(insert(inBatch), batch);
        copied += inBatch;
        progress(table, copied);
      }
      if (columns.includes('id')) {
        // Identities continue after the copied ids (an empty table starts at 1).
        await tx.get(
          `SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce((SELECT max(id) FROM ${quote(table)}), 1), (SELECT count(*) > 0 FROM ${quote(table)})) AS at`,
        );
      }
      const from = await checksum(source.stream(`SELECT ${list} FROM ${quote(table)}`));
      const to = await checksum(tx.stream(`SELECT ${list} FROM ${quote(table)}`));
      if (from.rows !== copied || to.rows !== from.rows || to.checksum !== from.checksum) {
        throw new RuntimeFailure(
          `${table}: the copy differs from the source (${from.rows} rows, checksum ${from.checksum}; copied ${to.rows} rows, checksum ${to.checksum}); nothing was committed`,
        );
      }
      results.push({ table, rows: to.rows, checksum: to.checksum });
    }
    return results;
  });
}
