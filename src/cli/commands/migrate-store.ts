import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';

export interface MigrateStoreOptions {
  to?: string;
}

/**
 * `migrate-store --to postgres://…`: copy the configured SQLite store into an empty PostgreSQL database,
 * every table row for row, checked by row counts and checksums on both sides; the SQLite file is opened
 * read-only and left as it is.
 */
export async function run(ctx: Context, options: MigrateStoreOptions): Promise<void> {
  const { isPostgresUrl } = await import('../../store/postgres-url.js');
  if (!options.to || !isPostgresUrl(options.to)) {
    throw new UsageError('--to: give the PostgreSQL database to copy into, as postgres://user@host:5432/database (the password in PGPASSWORD or ~/.pgpass)');
  }
  const from = await ctx.dbPath();
  if (isPostgresUrl(from)) {
    throw new UsageError('migrate-store copies a SQLite store into PostgreSQL: point --db (or BRANDWATCH_DB, or the config\'s `database`) at the SQLite file to copy');
  }
  const { migrateStore } = await import('../../store/migrate-store.js');
  const started = ctx.elapsed();
  const result = await migrateStore(from, options.to, (table, rows) => ctx.io.debug(`${table}: ${rows} rows copied`));
  const seconds = (ctx.elapsed() - started) / 1000;
  const total = result.tables.reduce((n, t) => n + t.rows, 0);
  if (ctx.io.json) {
    ctx.io.outJson({ from: result.from, to: result.to, schemaVersion: result.schemaVersion, rows: total, seconds: Number(seconds.toFixed(1)), tables: result.tables });
    return;
  }
  const width = Math.max(...result.tables.map((t) => t.table.length));
  for (const t of result.tables) ctx.io.out(`${t.table.padEnd(width)}  ${String(t.rows).padStart(9)} rows  checksum ${t.checksum}  ✓ same on both sides`);
  ctx.io.out(
    `copied ${total} rows from ${result.from} to ${result.to} in ${seconds.toFixed(1)}s (schema ${result.schemaVersion}); the SQLite file is unchanged — point \`database:\` (or BRANDWATCH_DB) at the PostgreSQL URL to use it`,
  );
}
