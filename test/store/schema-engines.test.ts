import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/open.js';
import { openPostgresEngine } from '../../src/store/postgres.js';
import { migratePostgres } from '../../src/store/postgres-schema.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';

/** A column as both engines can state it: its name, its kind and whether it may be NULL. */
type Column = `${string} ${'integer' | 'real' | 'text' | 'blob' | '?'}${'' | ' not null'}`;

interface Shape {
  tables: Record<string, Column[]>;
  /** Index name → `unique`/`plain` and whether partial, with its column list as written. */
  indexes: Record<string, string>;
  triggers: string[];
}

/** SQLite's type affinity of a declared type (https://www.sqlite.org/datatype3.html §3.1). */
function sqliteKind(declared: string): 'integer' | 'real' | 'text' | 'blob' | '?' {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'text';
  if (t === '' || t.includes('BLOB')) return 'blob';
  if (/REAL|FLOA|DOUB/.test(t)) return 'real';
  return '?';
}
const POSTGRES_KIND: Record<string, 'integer' | 'real' | 'text' | 'blob'> = {
  bigint: 'integer',
  integer: 'integer',
  'double precision': 'real',
  text: 'text',
  bytea: 'blob',
};

function sqliteShape(path: string): Shape {
  const db = new Database(path, { readonly: true });
  try {
    const shape: Shape = { tables: {}, indexes: {}, triggers: [] };
    const objects = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      type: string;
      name: string;
      tbl_name: string;
      sql: string | null;
    }[];
    for (const o of objects) {
      if (o.type === 'table' && o.name.startsWith('mentions_fts')) {
        // The FTS5 table (and its shadow tables) is SQLite's form of the text-search index.
        if (o.name === 'mentions_fts') shape.indexes.mentions_fts = 'search mentions(text)';
        continue;
      }
      if (o.type === 'table') {
        const columns = db.prepare('SELECT name, type, "notnull" AS nn, pk FROM pragma_table_info(?) ORDER BY cid').all(o.name) as {
          name: string;
          type: string;
          nn: number;
          pk: number;
        }[];
        shape.tables[o.name] = columns.map(
          // Primary key columns are NOT NULL on PostgreSQL; SQLite's rowid alias is never NULL either.
          (c) => `${c.name} ${sqliteKind(c.type)}${c.nn || c.pk > 0 ? ' not null' : ''}` as Column,
        );
      } else if (o.type === 'index') {
        const info = db.prepare('SELECT "unique" AS u, partial FROM pragma_index_list(?) WHERE name = ?').get(o.tbl_name, o.name) as { u: number; partial: number };
        const columns = (db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').all(o.name) as { name: string }[]).map((c) => c.name);
        shape.indexes[o.name] = `${info.u ? 'unique' : 'plain'}${info.partial ? ' partial' : ''} ${o.tbl_name}(${columns.join(', ')})`;
      } else if (o.type === 'trigger' && !o.name.startsWith('mentions_fts_')) {
        // mentions_fts_* keep SQLite's FTS5 table in step; PostgreSQL's index keeps itself.
        shape.triggers.push(o.name);
      }
    }
    return shape;
  } finally {
    db.close();
  }
}

async function postgresShape(url: string): Promise<Shape> {
  const db = await openPostgresEngine(url);
  try {
    const shape: Shape = { tables: {}, indexes: {}, triggers: [] };
    const columns = await db.all<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name <> 'brandwatch_meta' ORDER BY table_name, ordinal_position`,
    );
    for (const c of columns) {
      (shape.tables[c.table_name] ??= []).push(`${c.column_name} ${POSTGRES_KIND[c.data_type] ?? '?'}${c.is_nullable === 'NO' ? ' not null' : ''}` as Column);
    }
    const indexes = await db.all<{ name: string; table_name: string; is_unique: number; partial: number; columns: string | null; constraint_kind: string | null }>(
      `SELECT i.relname AS name, t.relname AS table_name, x.indisunique AS is_unique, (x.indpred IS NOT NULL) AS partial,
              (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns,
              (SELECT c.contype::text FROM pg_constraint c WHERE c.conindid = i.oid AND c.contype IN ('p', 'u') LIMIT 1) AS constraint_kind
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = current_schema() AND t.relname <> 'brandwatch_meta' ORDER BY i.relname`,
    );
    for (const i of indexes) {
      // Primary keys and UNIQUE constraints are SQLite's sqlite_autoindex_* (left out on both sides).
      if (i.constraint_kind) continue;
      if (i.name === 'mentions_fts') shape.indexes[i.name] = 'search mentions(text)';
      else shape.indexes[i.name] = `${i.is_unique ? 'unique' : 'plain'}${i.partial ? ' partial' : ''} ${i.table_name}(${i.columns})`;
    }
    const triggers = await db.all<{ name: string }>(
      `SELECT DISTINCT trigger_name AS name FROM information_schema.triggers WHERE trigger_schema = current_schema() ORDER BY trigger_name`,
    );
    shape.triggers = triggers.map((t) => t.name);
    return shape;
  } finally {
    await db.close();
  }
}

describePostgres('one schema on both engines', () => {
  let dir: string;
  let sqlite: Shape;
  let postgres: Shape;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bw-schema-'));
    const path = join(dir, 'fresh.db');
    const store = await openStore(path);
    await store.close();
    sqlite = sqliteShape(path);
    const url = await freshDatabase('schema');
    const engine = await openPostgresEngine(url);
    try {
      await migratePostgres(engine, MIGRATIONS, SCHEMA_VERSION);
    } finally {
      await engine.close();
    }
    postgres = await postgresShape(url);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has the same tables, each with the same columns of the same kinds and nullability, in the same order', () => {
    expect(Object.keys(postgres.tables).sort()).toEqual(Object.keys(sqlite.tables).sort());
    for (const table of Object.keys(sqlite.tables)) expect(postgres.tables[table], table).toEqual(sqlite.tables[table]);
  });

  it('has the same indexes (unique, partial, columns) and the same search index', () => {
    expect(postgres.indexes).toEqual(sqlite.indexes);
  });

  it('has the same triggers (the audit trail is append-only on both)', () => {
    expect(postgres.triggers.sort()).toEqual(sqlite.triggers.sort());
  });
});
