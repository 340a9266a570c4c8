// Team mode's figures: the same work on PostgreSQL beside SQLite, on a throw-away server on loopback (the
// tests' own, test/helpers/postgres-server.js). Ingest through the poll's page transaction, the weekly report
// built in process, and the migrate-store round trip of a large data set (time, rows, checksums).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { pollPages } from './data.js';
import { ROOT, expectStored, fmt, pagedSource, pollOptions, scratchFile, stats, timed, weeklyReportBuilder } from './lib.js';

async function createDatabase(server, name) {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return `${server.base}/${name}`;
}

/** `report(status, name, measured)` as run.js prints; `sizes` as run.js chose them. */
export async function postgresFigures({ report, log, sizes, seed, start, end, week, now, configPath, mentionsDb }) {
  const { startPostgres } = await import(join(ROOT, 'test/helpers/postgres-server.js'));
  let server;
  try {
    server = await startPostgres({ log });
  } catch (error) {
    report('skip', 'postgres', `the throw-away PostgreSQL server did not start: ${error.message}`);
    return;
  }
  if (server.skipped) {
    report('skip', 'postgres', server.skipped);
    return;
  }
  try {
    await ingest({ report, server, sizes, seed, start, end });
    await weekly({ report, log, server, sizes, seed, start, end, week, now, configPath, mentionsDb });
  } finally {
    server.stop();
  }
}

async function ingest({ report, server, sizes, seed, start, end }) {
  const { openStore } = await import(join(ROOT, 'dist/store/open.js'));
  const { pollSources } = await import(join(ROOT, 'dist/poll/poll-sources.js'));
  const count = sizes.ingest;
  const page = 100;
  const pages = pollPages({ seed, count, start, end, pageSize: page });
  const run = async (location) => {
    const store = await openStore(location);
    try {
      const { ms, value: [result] } = await timed(() => pollSources(pollOptions(store.db, [pagedSource(pages)], end)));
      expectStored(result, count);
      return count / (ms / 1000);
    } finally {
      await store.close();
    }
  };
  const sqliteRates = [];
  const postgresRates = [];
  for (let round = 0; round < 3; round++) {
    sqliteRates.push(await run(scratchFile('ingest-engines.db')));
    postgresRates.push(await run(await createDatabase(server, `bench_ingest_${round}`)));
  }
  scratchFile('ingest-engines.db');
  const sqliteRate = stats(sqliteRates);
  const postgresRate = stats(postgresRates);
  report('info', 'ingest SQLite', `${sqliteRate.text(fmt.rate)} (pollSources, ${fmt.count(count)} mentions, ${page} per page transaction)`);
  report('info', 'ingest PostgreSQL', `${postgresRate.text(fmt.rate)} = ${fmt.ratio(postgresRate.median / sqliteRate.median)} SQLite (the same pages, loopback server, fsync off)`);
}

async function weekly({ report, log, server, sizes, seed, start, end, week, now, configPath, mentionsDb }) {
  const count = sizes.export;
  const size = fmt.count(count);
  const path = await mentionsDb({ count, seed, start, end, log });
  const url = await createDatabase(server, 'bench_report');
  const { migrateStore } = await import(join(ROOT, 'dist/store/migrate-store.js'));
  log(`migrate-store: copying the ${size} data set into PostgreSQL…`);
  const { ms, value: copied } = await timed(() => migrateStore(path, url));
  const seconds = ms / 1000;
  const rows = copied.tables.reduce((n, t) => n + t.rows, 0);
  const tables = copied.tables.filter((t) => t.rows > 0).map((t) => `${t.table} ${t.rows.toLocaleString('en')} (${t.checksum})`).join(', ');
  report('info', `migrate-store ${size}`, `${seconds.toFixed(1)} s, ${rows.toLocaleString('en')} rows = ${fmt.rate(rows / seconds)}; counts and checksums equal on both sides: ${tables}`);

  const { parseConfig } = await import(join(ROOT, 'dist/config/load.js'));
  const { openStore } = await import(join(ROOT, 'dist/store/open.js'));
  const { config } = parseConfig(readFileSync(configPath, 'utf8'), configPath);
  const buildReport = await weeklyReportBuilder({ config, week, now: Date.parse(now) });
  const timedReports = async (location) => {
    const store = await openStore(location, { readOnly: true });
    const times = [];
    let figures = null;
    try {
      for (let i = 0; i < sizes.queryRuns + 1; i++) {
        const built = await timed(() => buildReport(store.db));
        if (i > 0) times.push(built.ms);
        figures = built.value;
      }
    } finally {
      await store.close();
    }
    return { ms: stats(times), figures };
  };
  const onSqlite = await timedReports(path);
  const onPostgres = await timedReports(url);
  const same = JSON.stringify(strip(onSqlite.figures)) === JSON.stringify(strip(onPostgres.figures));
  report('info', `report ${size} SQLite`, `${onSqlite.ms.text(fmt.ms)} (buildReport --week ${week})`);
  report(
    same ? 'info' : 'miss',
    `report ${size} PostgreSQL`,
    `${onPostgres.ms.text(fmt.ms)} = ${fmt.ratio(onPostgres.ms.median / onSqlite.ms.median)} SQLite; ${same ? 'the same figures on both' : 'THE FIGURES DIFFER from SQLite'}`,
  );
}

/** A report without the instant it was generated at. */
function strip(report) {
  const { generatedAt: _generatedAt, ...rest } = report ?? {};
  return rest;
}
