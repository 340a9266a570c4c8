// Team mode's figures: the same work on PostgreSQL beside SQLite, on a throw-away server on loopback (the
// tests' own, test/helpers/postgres-server.js). Ingest through the poll's page transaction, the weekly report
// built in process, and the migrate-store round trip of a large data set (time, rows, checksums).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { newMentions } from './data.js';
import { CACHE, ROOT, fmt, median } from './lib.js';

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
  const mentions = newMentions({ seed, count, start, end });
  const page = 100;
  const run = async (location) => {
    const store = await openStore(location);
    const source = {
      name: 'bench',
      platform: 'twitter',
      groups: () => [{ key: 'all', query: 'acme', keywords: [{ term: 'acme', exclude: [] }] }],
      async *pages() {
        for (let i = 0; i < count; i += page) {
          const rows = mentions.slice(i, i + page);
          yield { mentions: rows, ownReplies: [], cursor: { next: i + page }, postsRead: rows.length };
        }
      },
    };
    const started = performance.now();
    const [result] = await pollSources({ db: store.db, sources: [source], budgets: new Map(), now: () => end, sleep: async () => {}, signal: new AbortController().signal, verbose: () => {} });
    const rate = count / ((performance.now() - started) / 1000);
    await store.close();
    if (result.new !== count) throw new Error(`ingest stored ${result.new} of ${count} mentions (${result.status}: ${result.message})`);
    return rate;
  };
  const sqliteRates = [];
  const postgresRates = [];
  for (let round = 0; round < 3; round++) {
    const file = join(CACHE, 'ingest-engines.db');
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    sqliteRates.push(await run(file));
    postgresRates.push(await run(await createDatabase(server, `bench_ingest_${round}`)));
  }
  const sqliteRate = median(sqliteRates);
  const postgresRate = median(postgresRates);
  report('info', 'ingest SQLite', `${fmt.rate(sqliteRate)} (pollSources, ${fmt.count(count)} mentions, ${page} per page transaction, median of 3)`);
  report('info', 'ingest PostgreSQL', `${fmt.rate(postgresRate)} = ${fmt.ratio(postgresRate / sqliteRate)} SQLite (the same pages, loopback server, fsync off)`);
}

async function weekly({ report, log, server, sizes, seed, start, end, week, now, configPath, mentionsDb }) {
  const count = sizes.export;
  const size = fmt.count(count);
  const path = await mentionsDb({ count, seed, start, end, log });
  const url = await createDatabase(server, 'bench_report');
  const { migrateStore } = await import(join(ROOT, 'dist/store/migrate-store.js'));
  log(`migrate-store: copying the ${size} data set into PostgreSQL…`);
  const started = performance.now();
  const copied = await migrateStore(path, url);
  const seconds = (performance.now() - started) / 1000;
  const rows = copied.tables.reduce((n, t) => n + t.rows, 0);
  const tables = copied.tables.filter((t) => t.rows > 0).map((t) => `${t.table} ${t.rows.toLocaleString('en')} (${t.checksum})`).join(', ');
  report('info', `migrate-store ${size}`, `${seconds.toFixed(1)} s, ${rows.toLocaleString('en')} rows = ${fmt.rate(rows / seconds)}; counts and checksums equal on both sides: ${tables}`);

  const { parseConfig } = await import(join(ROOT, 'dist/config/load.js'));
  const { resolvePeriod } = await import(join(ROOT, 'dist/report/period.js'));
  const { responseClockFor } = await import(join(ROOT, 'dist/time/business.js'));
  const { buildReport } = await import(join(ROOT, 'dist/report/build.js'));
  const { openStore } = await import(join(ROOT, 'dist/store/open.js'));
  const { readFileSync } = await import('node:fs');
  const { config } = parseConfig(readFileSync(configPath, 'utf8'), configPath);
  const at = Date.parse(now);
  const timed = async (location) => {
    const store = await openStore(location, { readOnly: true });
    const times = [];
    let figures = null;
    try {
      for (let i = 0; i < sizes.queryRuns + 1; i++) {
        const t = performance.now();
        const built = await buildReport({ db: store.db, config, period: resolvePeriod({ week }, at, 'UTC'), clock: responseClockFor(config, 'UTC'), by: 'platform', now: at });
        if (i > 0) times.push(performance.now() - t);
        figures = built;
      }
    } finally {
      await store.close();
    }
    return { ms: median(times), figures };
  };
  const onSqlite = await timed(path);
  const onPostgres = await timed(url);
  const same = JSON.stringify(strip(onSqlite.figures)) === JSON.stringify(strip(onPostgres.figures));
  report('info', `report ${size} SQLite`, `${fmt.ms(onSqlite.ms)} (buildReport --week ${week}, median of ${sizes.queryRuns})`);
  report(
    same ? 'info' : 'miss',
    `report ${size} PostgreSQL`,
    `${fmt.ms(onPostgres.ms)} = ${fmt.ratio(onPostgres.ms / onSqlite.ms)} SQLite; ${same ? 'the same figures on both' : 'THE FIGURES DIFFER from SQLite'}`,
  );
}

/** A report without the instant it was generated at. */
function strip(report) {
  const { generatedAt: _generatedAt, ...rest } = report ?? {};
  return rest;
}
