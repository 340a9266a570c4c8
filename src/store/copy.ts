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
import { foldLabelCount } from './classifier.js';

/** Rows per INSERT (each column one array value). */
const BATCH_ROWS = 5000;

export interface TableCopy {
  table: string;
  rows: number;
  checksum: string;
}

export interface CopyProgress {
  (table: string, rowsCopied: number): void;
}

/**
 * The tables and their columns, in the source's column order, as SQLite lists them. Left out: FTS5's own tables
 * and `label_changes`, which the target's triggers rebuild as the mentions are copied (migration 017).
 */
export async function sqliteTables(db: Engine): Promise<{ table: string; columns: string[] }[]> {
  const tables = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'mentions_fts%' AND name <> 'label_changes' ORDER BY name",
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

/** An order-free checksum: the sum, modulo 2^64, of each row's hash, and the row count. */
class Checksum {
  private sum = 0n;
  rows = 0;
  add(row: readonly unknown[]): void {
    const digest = createHash('sha256').update(JSON.stringify(row.map(canonical))).digest();
    this.sum = (this.sum + digest.readBigUInt64BE(0)) & 0xffff_ffff_ffff_ffffn;
    this.rows++;
  }
  get value(): string {
    return this.sum.toString(16).padStart(16, '0');
  }
}

async function checksum(rows: AsyncIterable<unknown[]>): Promise<{ rows: number; checksum: string }> {
  const sum = new Checksum();
  for await (const row of rows) sum.add(row);
  return { rows: sum.rows, checksum: sum.value };
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
  const types = await columnTypes(target);
  return target.transaction(async (tx) => {
    // References are checked at the commit, once every row is in.
    await tx.exec('SET CONSTRAINTS ALL DEFERRED');
    // Index builds at the end of each table get room to sort in memory (this transaction only).
    await tx.exec("SET LOCAL maintenance_work_mem = '256MB'");
    const results: TableCopy[] = [];
    for (const { table, columns } of tables) {
      // Secondary indexes are built once at the end rather than kept up row by row (keys and uniques stay).
      const indexes = await tx.all<{ name: string; definition: string }>(
        `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
         WHERE i.schemaname = current_schema() AND i.tablename = ?
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
        [table],
      );
      for (const index of indexes) await tx.exec(`DROP INDEX ${quote(index.name)}`);
      const list = columns.map(quote).join(', ');
      // One array per column, unnested server-side: one statement and a few values per batch of rows.
      const insert = `INSERT INTO ${quote(table)} (${list}) SELECT * FROM unnest(${columns
        .map((c) => `?::${types.get(`${table}.${c}`) ?? 'text'}[]`)
        .join(', ')})`;
      let batch: unknown[][] = columns.map(() => []);
      let inBatch = 0;
      let copied = 0;
      const flush = async () => {
        await tx.run(insert, batch);
        copied += inBatch;
        progress(table, copied);
        batch = columns.map(() => []);
        inBatch = 0;
      };
      // The source's checksum is taken from the very rows copied, in the one read of the table.
      const sourceSum = new Checksum();
      for await (const row of source.stream(`SELECT ${list} FROM ${quote(table)}`)) {
        sourceSum.add(row);
        for (let i = 0; i < row.length; i++) batch[i]!.push(row[i] ?? null);
        if (++inBatch === BATCH_ROWS) await flush();
      }
      if (inBatch > 0) await flush();
      if (indexes.length > 0) {
        // The table's deferred reference checks run now (an index cannot be built with checks pending).
        await tx.exec('SET CONSTRAINTS ALL IMMEDIATE');
        for (const index of indexes) await tx.exec(index.definition);
        await tx.exec('SET CONSTRAINTS ALL DEFERRED');
    // Index builds at the end of each table get room to sort in memory (this transaction only).
    await tx.exec("SET LOCAL maintenance_work_mem = '256MB'");
      }
      if (columns.includes('id')) {
        // Identities continue after the copied ids (an empty table starts at 1).
        await tx.get(
          `SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce((SELECT max(id) FROM ${quote(table)}), 1), (SELECT count(*) > 0 FROM ${quote(table)})) AS at`,
        );
      }
      const from = { rows: sourceSum.rows, checksum: sourceSum.value };
      const to = await checksum(tx.stream(`SELECT ${list} FROM ${quote(table)}`));
      if (from.rows !== copied || to.rows !== from.rows || to.checksum !== from.checksum) {
        throw new RuntimeFailure(
          `${table}: the copy differs from the source (${from.rows} rows, checksum ${from.checksum}; copied ${to.rows} rows, checksum ${to.checksum}); nothing was committed`,
        );
      }
      results.push({ table, rows: to.rows, checksum: to.checksum });
    }
    // The triggers appended one label change per labelled mention copied: one row of the count instead.
    await foldLabelCount(tx);
    return results;
  });
}

/** Each target column's type, as `table.column` → the name a cast takes (bigint, text, double precision). */
async function columnTypes(db: Engine): Promise<Map<string, string>> {
  const rows = await db.all<{ table_name: string; column_name: string; data_type: string }>(
    'SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()',
  );
  return new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]));
}
