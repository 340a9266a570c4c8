// Helpers for the bench: timing, child processes, peak RSS, cached data sets.
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { generateMentions } from './data.js';

/** Bumped whenever the generator changes, so cached data sets are rebuilt. */
const DATA_VERSION = 4;
export const ROOT = resolve(import.meta.dirname, '..');
export const CACHE = join(ROOT, '.bench');
export const BIN = join(ROOT, 'bin', 'brandwatch.js');
mkdirSync(CACHE, { recursive: true });

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Preloaded into a child: writes its peak RSS (KB) to BENCH_RSS_FILE when it exits. */
const RSS_PRELOAD = join(CACHE, 'rss-preload.cjs');
writeFileSync(
  RSS_PRELOAD,
  "process.on('exit', () => { if (process.env.BENCH_RSS_FILE) require('fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)); });\n",
);

/**
 * Run a command, collecting output; `ms` is wall time from spawn to exit. With `rss`, the child is a
 * node process and `rssKb` is its peak resident set size.
 */
export function run(command, args, { env = {}, stdout = 'pipe', rss = false, cwd = ROOT } = {}) {
  return new Promise((resolvePromise, reject) => {
    const rssFile = rss ? join(CACHE, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`) : null;
    const childEnv = { PATH: process.env.PATH, HOME: CACHE, TZ: 'UTC', NO_COLOR: '1', ...env };
    if (rssFile) {
      childEnv.BENCH_RSS_FILE = rssFile;
      childEnv.NODE_OPTIONS = `--require ${RSS_PRELOAD}`;
    }
    const started = performance.now();
    const child = spawn(command, args, { env: childEnv, cwd, stdio: ['ignore', stdout, 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      let rssKb = null;
      if (rssFile && existsSync(rssFile)) {
        rssKb = Number(readFileSync(rssFile, 'utf8'));
        rmSync(rssFile, { force: true });
      }
      resolvePromise({ code, signal, ms, stdout: out, stderr: err, rssKb });
    });
  });
}

export function cli(args, options = {}) {
  return run(process.execPath, [BIN, ...args], options);
}

/** Fail loudly when a measured command did not work: a bench that times an error message lies. */
export function expectOk(result, what) {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code ?? result.signal}: ${result.stderr.trim().split('\n')[0]}`);
  return result;
}

/**
 * The spread of repeated measurements: median, min, max and n. `text(format)` prints
 * "median (min–max, n=5)" with each value in `format`.
 */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const result = { median: median(sorted), min: sorted[0], max: sorted.at(-1), n: sorted.length, values };
  result.text = (format) => `${format(result.median)} (${format(result.min)}–${format(result.max)}, n=${result.n})`;
  result.spread = (format) => `${format(result.min)}–${format(result.max)}, n=${result.n}`;
  return result;
}

/** Wall times (ms) of `runs` runs after one warm-up, as `stats`. */
export async function timeRuns(runs, once) {
  await once();
  const times = [];
  for (let i = 0; i < runs; i++) times.push((await once()).ms);
  return stats(times);
}

/** Median wall time of `runs` runs (after one warm-up). */
export async function medianMs(runs, once) {
  return (await timeRuns(runs, once)).median;
}

/** Milliseconds `fn` took, with its result. */
export async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** The machine the figures come from: cores, CPU model and load average (printed at the start and the end). */
export function machine() {
  const load = loadavg();
  return { cores: cpus().length, model: cpus()[0]?.model.trim() ?? 'unknown CPU', load, text: `${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${load.map((l) => l.toFixed(2)).join(' ')}` };
}

/** Bytes this process has read through read(2) so far (/proc/self/io rchar): SQLite's page reads, cache misses of its own page cache. */
export function bytesRead() {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** A SQLite file under .bench/ removed with its WAL and shared-memory files; its path. */
export function scratchFile(name) {
  const path = join(CACHE, name);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return path;
}

/**
 * A copy of a cached database to work on (the cache itself is never written by a measurement), on disk before
 * it is returned: the first fsync of the copied file (SQLite's checkpoint when the store closes) would otherwise
 * wait for the copy's own writeback (~25 ms for the 63 MB backlog here), which no poll of a database in use pays.
 */
export function scratchCopy(from, name) {
  const path = scratchFile(name);
  copyFileSync(from, path);
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * A source that serves the given pages (bench/data.js pollPages) in order, one page a request, its cursor
 * the next page's index; past the last page it answers with one empty page, as a platform with nothing new.
 */
export function pagedSource(pages, { name = 'bench', platform = 'twitter' } = {}) {
  return {
    name,
    platform,
    groups: () => [{ key: 'all', query: 'acme', keywords: [{ term: 'acme', exclude: [] }] }],
    async *pages(_group, cursor) {
      const from = Number(cursor?.next ?? 0);
      for (let i = from; i < pages.length; i++) {
        yield { mentions: pages[i].mentions, ownReplies: pages[i].ownReplies, cursor: { next: i + 1 }, postsRead: pages[i].mentions.length };
      }
      if (from >= pages.length) yield { mentions: [], ownReplies: [], cursor: { next: from }, postsRead: 0 };
    },
  };
}

/** pollSources' options for the bench: no budgets, no waiting, the fixed clock. */
export function pollOptions(db, sources, now, extra = {}) {
  return { db, sources, budgets: new Map(), now: () => now, sleep: async () => {}, signal: new AbortController().signal, verbose: () => {}, ...extra };
}

/**
 * The weekly report as the `report` command builds it (src/report/build.js), by platform in UTC: a function of
 * the store's `Db` resolving to the report.
 */
export async function weeklyReportBuilder({ config, week, now }) {
  const { resolvePeriod } = await import(join(ROOT, 'dist/report/period.js'));
  const { responseClockFor } = await import(join(ROOT, 'dist/time/business.js'));
  const { buildReport } = await import(join(ROOT, 'dist/report/build.js'));
  return (db) => buildReport({ db, config, period: resolvePeriod({ week }, now, 'UTC'), clock: responseClockFor(config, 'UTC'), by: 'platform', now });
}

/** Every page stored: a figure of a poll that failed or stored less would flatter nobody honestly. */
export function expectStored(result, count) {
  if (result.new !== count) throw new Error(`the poll stored ${result.new} of ${count} mentions (${result.status}: ${result.message})`);
}

export const fmt = {
  ms: (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`),
  rate: (perSecond) =>
    (perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M` : perSecond >= 10_000 ? `${Math.round(perSecond / 1000)}k` : perSecond >= 1000 ? `${(perSecond / 1000).toFixed(1)}k` : String(Math.round(perSecond))) + ' rows/s',
  count: (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n)),
  ratio: (r) => `${r.toFixed(2)}×`,
};

/**
 * A mentions database of `count` rows (with responses) built with the product's own schema, cached
 * under .bench/ by size, span, generator version and seed; migrations that land later are applied to it.
 */
export async function mentionsDb({ count, seed, start, end, log }) {
  const { openStore } = await import(join(ROOT, 'dist/store/open.js'));
  const { SqliteEngine } = await import(join(ROOT, 'dist/store/sqlite.js'));
  const { MIGRATIONS, SCHEMA_VERSION } = await import(join(ROOT, 'dist/store/migrate.js'));
  const weeks = Math.round((end - start) / 604_800_000);
  const path = join(CACHE, `mentions-${fmt.count(count)}-${weeks}w-d${DATA_VERSION}-s${seed}.db`);
  // Which migrations the cached file has: versions land out of order while the product grows.
  const appliedFile = `${path}.migrations.json`;
  if (existsSync(path) && existsSync(appliedFile)) {
    const applied = new Set(JSON.parse(readFileSync(appliedFile, 'utf8')));
    const missing = MIGRATIONS.filter((m) => !applied.has(m.version));
    if (missing.length > 0) {
      log(`applying migration ${missing.map((m) => m.version).join(', ')} to the cached ${fmt.count(count)} data set…`);
      const db = new Database(path);
      const engine = new SqliteEngine(db, path);
      for (const migration of missing) await engine.transaction((tx) => migration.up(tx));
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      db.close();
      writeFileSync(appliedFile, JSON.stringify(MIGRATIONS.map((m) => m.version)));
    }
    return path;
  }
  const building = `${path}.building`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(building + suffix, { force: true });
  log(`generating ${fmt.count(count)} mentions into ${path} (cached for later runs)…`);
  const started = performance.now();
  const store = await openStore(building);
  // The generator writes through the connection itself: it measures nothing, it only fills the file fast.
  const db = store.db.connection;
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -200000');
  const columns = [
    'platform', 'source', 'external_id', 'url', 'author_handle', 'author_name', 'author_id', 'author_followers', 'text', 'lang',
    'created_at', 'fetched_at', 'keyword', 'keywords', 'in_reply_to', 'conversation_id', 'summons_brand', 'likes', 'reposts', 'replies', 'quotes',
    'sentiment', 'category', 'priority', 'status', 'status_changed_at', 'first_response_at', 'private_at', 'first_private_response_at', 'resolved_at',
  ];
  const insertMention = db.prepare(`INSERT INTO mentions (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
  const insertResponse = db.prepare(
    `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'sent')`,
  );
  let batch = [];
  const flush = db.transaction((rows) => {
    for (const row of rows) {
      const { response, native, ...mention } = row;
      const id = insertMention.run(mention).lastInsertRowid;
      if (response !== null) {
        insertResponse.run(id, row.platform, `r${row.external_id}`, 'Sorry to hear that — please DM us your order number.', response, response, native ? 'native' : 'brandwatch');
      }
    }
  });
  generateMentions({ seed, count, start, end }, (row) => {
    batch.push(row);
    if (batch.length === 20_000) {
      flush(batch);
      batch = [];
    }
  });
  flush(batch);
  db.exec('ANALYZE');
  await store.close();
  renameSync(building, path);
  writeFileSync(appliedFile, JSON.stringify(MIGRATIONS.map((m) => m.version)));
  log(`  built in ${fmt.ms(performance.now() - started)}`);
  return path;
}
