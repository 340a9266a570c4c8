// `npm run bench [-- --quick]`: measures DESIGN §10 on this machine, one line per figure, each beside
// its target and the reference it is a ratio of. Targets are reported, never asserted: the exit code
// is non-zero only when the bench itself crashes.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { newMentions, DAY } from './data.js';
import { CACHE, ROOT, cli, expectOk, fmt, median, medianMs, mentionsDb, run } from './lib.js';

const quick = process.argv.includes('--quick');
/** Only team mode's figures (PostgreSQL beside SQLite). */
const onlyPostgres = process.argv.includes('--postgres');
const SEED = 20261123;
/** The data ends at the Monday after ISO week 2026-W47 and covers the year (52 weeks) before it. */
const END = Date.parse('2026-11-23T00:00:00Z');
const START = END - 364 * DAY;
const NOW = '2026-11-23T09:00:00Z';
const WEEK = '2026-W47';
const SIZES = quick
  ? { startupRuns: 5, ingest: 20_000, report: [200_000], export: 200_000, queryRuns: 3 }
  : { startupRuns: 15, ingest: 100_000, report: [1_000_000, 5_000_000], export: 1_000_000, queryRuns: 5 };

const log = (message) => process.stderr.write(`${message}\n`);
const lines = [];
const missed = [];

/** One figure: `ok`/`MISS` against its target, or `info` when the design sets none. */
function report(status, name, measured, target) {
  const tag = { ok: ' ok ', miss: 'MISS', info: 'info', skip: 'skip' }[status];
  const line = `[${tag}] ${name.padEnd(22)} ${measured}${target ? `  · target ${target}` : ''}`;
  lines.push(line);
  if (status === 'miss') missed.push(name);
  console.log(line);
}

const config = join(CACHE, 'config.yml');
writeFileSync(
  config,
  [
    'brand: Acme',
    'timezone: UTC',
    'keywords: [acme, "@acme_help"]',
    'ownAccounts: { twitter: acme_help }',
    'sources:',
    '  - platform: sample',
    `    start: "${new Date(START).toISOString()}"`,
    'sla: { twitter: 30m, facebook: 2h, default: 24h }',
    '',
  ].join('\n'),
  { mode: 0o600 },
);
const env = { BRANDWATCH_NOW: NOW };

function commands() {
  const help = execFileSync(process.execPath, [join(ROOT, 'bin/brandwatch.js'), '--help'], { encoding: 'utf8' });
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return new Set([...section.matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1]));
}

// ---------------------------------------------------------------- start-up
async function startup(available, smallDb) {
  const runs = SIZES.startupRuns;
  const bare = await medianMs(runs, () => run(process.execPath, ['-e', '0']));
  report('info', 'node -e 0', `${fmt.ms(bare)} median of ${runs} (reference)`);
  // New commands slot in here as rows: the arguments of a typical quick invocation.
  const rows = [
    { name: '--help', args: ['--help'], target: 1.6 },
    { name: 'list', command: 'list', args: ['--db', smallDb, 'list', '--limit', '20'] },
    { name: 'show', command: 'show', args: ['--db', smallDb, 'show', '1'] },
    { name: 'report', command: 'report', args: ['--config', config, '--db', smallDb, 'report', '--week', WEEK] },
    { name: 'export', command: 'export', args: ['--config', config, '--db', smallDb, 'export', '--week', WEEK] },
  ];
  for (const row of rows) {
    const name = `start-up ${row.name}`;
    if (row.command && !available.has(row.command)) {
      report('skip', name, `\`${row.command}\` is not in this build`);
      continue;
    }
    const ms = await medianMs(runs, async () => expectOk(await cli(row.args, { env }), `brandwatch ${row.args.join(' ')}`));
    const ratio = ms / bare;
    const measured = `${fmt.ms(ms)} = ${fmt.ratio(ratio)} node -e 0`;
    if (row.target) report(ratio <= row.target ? 'ok' : 'miss', name, measured, `≤ ${row.target}× node -e 0`);
    else report('info', name, measured, 'none (only --help has one)');
  }
}

// ---------------------------------------------------------------- ingest
/** The triage layer's ingest classification (what `poll` passes as `assess`), once a build has one. */
async function loadAssess() {
  const file = join(ROOT, 'dist/triage/assess.js');
  if (!existsSync(file)) return null;
  const module = await import(file);
  if (typeof module.assessAtIngest !== 'function') return null;
  const { shippedClassifier } = await import(join(ROOT, 'dist/triage/classify.js'));
  const classifier = await shippedClassifier();
  return { assess: module.assessAtIngest({ sla: { twitter: 1_800_000, facebook: 7_200_000, default: 86_400_000 } }, () => END, classifier), from: 'triage assessAtIngest' };
}

async function ingest() {
  const { openStore } = await import(join(ROOT, 'dist/store/open.js'));
  const count = SIZES.ingest;
  const mentions = newMentions({ seed: SEED, count, start: START, end: END });
  const page = 100;
  const pages = [];
  for (let i = 0; i < count; i += page) pages.push(mentions.slice(i, i + page));
  const mentionsPage = (i) => pages[i / page];
  const fresh = (name) => {
    const path = join(CACHE, `ingest-${name}.db`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    return openStore(path);
  };

  // Reference: raw better-sqlite3 inserts of the same rows (classification precomputed, untimed), same
  // schema, indexes and unique key, one transaction per page.
  const assess = await loadAssess();
  const assessed = new Map(mentions.map((m) => [m, assess ? assess.assess(m) : { category: null, sentiment: null, priority: 0 }]));
  const rawRun = async () => {
    const raw = await fresh('raw');
    const insert = raw.db.connection.prepare(`INSERT INTO mentions (platform, source, external_id, url, author_handle, author_name, author_id,
        author_followers, text, lang, created_at, fetched_at, keyword, keywords, conversation_id, summons_brand, likes, reposts,
        replies, quotes, metrics_updated_at, sentiment, category, priority, status_changed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, external_id) DO NOTHING`);
    const rawPage = raw.db.connection.transaction((rows, at) => {
      for (const m of rows) {
        const a = assessed.get(m);
        insert.run(m.platform, m.platform, m.externalId, m.url, m.authorHandle, m.authorName, m.authorId, m.authorFollowers, m.text,
          m.lang, m.createdAt, at, m.keywords[0] ?? null, JSON.stringify(m.keywords), m.conversationId, m.summonsBrand ? 1 : 0,
          m.metrics.likes, m.metrics.reposts, m.metrics.replies, m.metrics.quotes, at, a.sentiment, a.category, a.priority, at);
      }
    });
    const started = performance.now();
    for (let i = 0; i < count; i += page) rawPage(mentionsPage(i), END);
    const rate = count / ((performance.now() - started) / 1000);
    await raw.close();
    return rate;
  };
  // Ours: pollSources storing pages from a source that has them at hand, so each page goes through the
  // poll's own transaction (mentions, threads, usage, cursor) with classification when the build has it.
  const { pollSources } = await import(join(ROOT, 'dist/poll/poll-sources.js'));
  const oursRun = async () => {
    const ours = await fresh('store');
    const source = {
      name: 'bench',
      platform: 'twitter',
      groups: () => [{ key: 'all', query: 'acme', keywords: [{ term: 'acme', exclude: [] }] }],
      async *pages() {
        for (let i = 0; i < count; i += page) {
          const mentions = mentionsPage(i);
          yield { mentions, ownReplies: [], cursor: { next: i + page }, postsRead: mentions.length };
        }
      },
    };
    const started = performance.now();
    const [result] = await pollSources({
      db: ours.db,
      sources: [source],
      budgets: new Map(),
      now: () => END,
      sleep: async () => {},
      signal: new AbortController().signal,
      verbose: () => {},
      ...(assess ? { assess: assess.assess } : {}),
    });
    const rate = count / ((performance.now() - started) / 1000);
    await ours.close();
    if (result.new !== count) throw new Error(`ingest stored ${result.new} of ${count} mentions (${result.status}: ${result.message})`);
    return rate;
  };
  // Warm both paths up, then alternate rounds so load from other processes hits both alike.
  await rawRun();
  await oursRun();
  const rawRates = [];
  const rates = [];
  for (let round = 0; round < 3; round++) {
    rawRates.push(await rawRun());
    rates.push(await oursRun());
  }
  const rawRate = median(rawRates);
  const rate = median(rates);
  report('info', 'raw inserts', `${fmt.rate(rawRate)} (better-sqlite3, ${fmt.count(count)} rows with their classification precomputed, ${page} per transaction, median of 3; reference)`);
  const ratio = rate / rawRate;
  const how = assess ? `classified by ${assess.from}` : 'no classification in this build';
  report(ratio >= 0.5 ? 'ok' : 'miss', 'ingest', `${fmt.rate(rate)} = ${fmt.ratio(ratio)} raw (poll's page transaction, ${how})`, '≥ 0.50× raw');
  for (const name of ['raw', 'store']) for (const suffix of ['', '-wal', '-shm']) rmSync(join(CACHE, `ingest-${name}.db${suffix}`), { force: true });
}

// ---------------------------------------------------------------- weekly report
/** The hand-written reference: counts, response rate and p50/p90 first response per platform, via window functions. */
const HAND_REPORT = `
  WITH week AS (
    SELECT platform, first_response_at - created_at AS frt,
      (status NOT IN ('ignored', 'spam') AND (category IS NOT 'praise' OR first_response_at IS NOT NULL)) AS needs
    FROM mentions WHERE created_at >= @from AND created_at < @until
  ),
  ranked AS (
    SELECT platform, frt, row_number() OVER (PARTITION BY platform ORDER BY frt) AS r, count(*) OVER (PARTITION BY platform) AS n
    FROM week WHERE frt IS NOT NULL
  ),
  pct AS (
    SELECT platform, max(CASE WHEN r = (n * 50 + 99) / 100 THEN frt END) AS p50, max(CASE WHEN r = (n * 90 + 99) / 100 THEN frt END) AS p90
    FROM ranked GROUP BY platform
  )
  SELECT w.platform, count(*) AS mentions, sum(needs) AS needing, sum(frt IS NOT NULL) AS responded,
    1.0 * sum(frt IS NOT NULL) / max(sum(needs), 1) AS response_rate, pct.p50, pct.p90
  FROM week w LEFT JOIN pct USING (platform) GROUP BY w.platform`;

async function weeklyReport(available, count) {
  const size = fmt.count(count);
  const path = await mentionsDb({ count, seed: SEED, start: START, end: END, log });
  const db = new Database(path, { readonly: true });
  const from = Date.parse('2026-11-16T00:00:00Z');
  const until = Date.parse('2026-11-23T00:00:00Z');
  const statement = db.prepare(HAND_REPORT);
  const weekRows = db.prepare('SELECT count(*) AS n FROM mentions WHERE created_at >= ? AND created_at < ?').get(from, until).n;
  const reference = await medianMs(SIZES.queryRuns, async () => {
    const started = performance.now();
    statement.all({ from, until });
    return { ms: performance.now() - started };
  });
  db.close();
  report('info', `report query ${size}`, `${fmt.ms(reference)} (hand-written SQL, week ${WEEK}: ${weekRows.toLocaleString('en')} of ${size} mentions; reference)`);
  if (!available.has('report') || !existsSync(join(ROOT, 'dist/report/build.js'))) {
    report('skip', `report ${size}`, '`report` is not in this build');
    return;
  }
  // The report's own work in this process (config, period, every aggregation), beside the hand-written query.
  const { parseConfig } = await import(join(ROOT, 'dist/config/load.js'));
  const { resolvePeriod } = await import(join(ROOT, 'dist/report/period.js'));
  const { responseClockFor } = await import(join(ROOT, 'dist/time/business.js'));
  const { buildReport } = await import(join(ROOT, 'dist/report/build.js'));
  const { config: parsed } = parseConfig(readFileSync(config, 'utf8'), config);
  const now = Date.parse(NOW);
  const { SqliteEngine } = await import(join(ROOT, 'dist/store/sqlite.js'));
  const built = new SqliteEngine(new Database(path, { readonly: true }), path);
  const build = await medianMs(SIZES.queryRuns, async () => {
    const started = performance.now();
    const period = resolvePeriod({ week: WEEK }, now, 'UTC');
    await buildReport({ db: built, config: parsed, period, clock: responseClockFor(parsed, 'UTC'), by: 'platform', now });
    return { ms: performance.now() - started };
  });
  await built.close();
  const ratio = build / reference;
  report(ratio <= 2 ? 'ok' : 'miss', `report ${size} build`, `${fmt.ms(build)} = ${fmt.ratio(ratio)} query (buildReport in process: every figure of the weekly report)`, '≤ 2× query');
  // The whole command as a person or cron runs it: start-up, config, database, report, rendering.
  const args = ['--config', config, '--db', path, 'report', '--week', WEEK];
  const ms = await medianMs(SIZES.queryRuns, async () => expectOk(await cli(args, { env }), `brandwatch ${args.join(' ')}`));
  if (count >= 5_000_000) report(ms < 500 ? 'ok' : 'miss', `report ${size} command`, `${fmt.ms(ms)} (\`brandwatch report --week ${WEEK}\`, start-up included)`, '< 0.5 s');
  else report('info', `report ${size} command`, `${fmt.ms(ms)} (\`brandwatch report --week ${WEEK}\`, start-up included)`);
}

// ---------------------------------------------------------------- export
const EXPORT_COLUMNS =
  'id, platform, url, author_handle, author_followers, created_at, first_response_at, status, category, sentiment, keyword, text';

async function exportFigure(available) {
  const count = SIZES.export;
  const size = fmt.count(count);
  const path = await mentionsDb({ count, seed: SEED, start: START, end: END, log });
  const out = join(CACHE, 'export.csv');
  let reference;
  let how;
  const sqlite3 = ['/usr/bin/sqlite3', '/usr/local/bin/sqlite3'].find((p) => existsSync(p));
  if (sqlite3) {
    // The first run reads the file into the page cache; the second is measured, as warm as the export after it.
    const times = [];
    for (let i = 0; i < 2; i++) {
      const fd = openSync(out, 'w');
      const result = await run(sqlite3, ['-csv', '-header', path, `SELECT ${EXPORT_COLUMNS} FROM mentions WHERE created_at >= ${START} AND created_at < ${END}`], { stdout: fd });
      closeSync(fd);
      times.push(expectOk(result, 'sqlite3 -csv').ms);
    }
    reference = count / (times[1] / 1000);
    how = '`sqlite3 -csv` to a file, warm cache';
  } else {
    // No sqlite3 shell here: the reference is better-sqlite3 iterating the same rows, joined without quoting.
    const db = new Database(path, { readonly: true });
    const started = performance.now();
    const fd = openSync(out, 'w');
    let buffer = '';
    for (const row of db.prepare(`SELECT ${EXPORT_COLUMNS} FROM mentions WHERE created_at >= ? AND created_at < ?`).raw().iterate(START, END)) {
      buffer += row.join(',') + '\n';
      if (buffer.length > 1 << 20) {
        writeFileSync(fd, buffer);
        buffer = '';
      }
    }
    writeFileSync(fd, buffer);
    closeSync(fd);
    db.close();
    reference = count / ((performance.now() - started) / 1000);
    how = 'better-sqlite3 raw iteration (no sqlite3 shell installed)';
  }
  report('info', `csv ${size} reference`, `${fmt.rate(reference)} (${how})`);
  if (!available.has('export')) {
    report('skip', `export ${size}`, '`export` is not in this build');
    return;
  }
  const args = ['--config', config, '--db', path, 'export', '--since', new Date(START).toISOString().slice(0, 10), '--until', new Date(END).toISOString().slice(0, 10), '--out', out];
  const result = expectOk(await cli(args, { env, rss: true }), `brandwatch ${args.join(' ')}`);
  const written = Number((/([\d,]+) mentions/.exec(result.stderr)?.[1] ?? '0').replace(/,/g, ''));
  if (written !== count) log(`  note: export reported ${written} rows, the data set has ${count}`);
  const rate = written / (result.ms / 1000);
  const ratio = rate / reference;
  const rssMb = result.rssKb / 1024;
  const megabytes = statSync(out).size / 1e6;
  rmSync(out, { force: true });
  report(ratio >= 0.3 ? 'ok' : 'miss', `export ${size} rows/s`, `${fmt.rate(rate)} = ${fmt.ratio(ratio)} reference (${written.toLocaleString('en')} rows, ${Math.round(megabytes)} MB in ${fmt.ms(result.ms)})`, '≥ 0.30× reference');
  report(rssMb < 150 ? 'ok' : 'miss', `export ${size} peak RSS`, `${Math.round(rssMb)} MB`, '< 150 MB');
}

// ---------------------------------------------------------------- API economy
async function apiEconomy() {
  const fakes = join(CACHE, 'fakes');
  mkdirSync(fakes, { recursive: true });
  execFileSync(process.execPath, [
    join(ROOT, 'node_modules/typescript/bin/tsc'), '--outDir', fakes, '--rootDir', join(ROOT, 'test/fakes'), '--module', 'NodeNext',
    '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', join(ROOT, 'test/fakes/twitter.ts'),
  ]);
  const { FakeTwitter } = await import(join(fakes, 'twitter.js'));
  const { testCertificate } = await import(join(fakes, 'tls.js'));
  const fake = await new FakeTwitter().start();
  try {
    const { caFile } = await testCertificate();
    const dir = join(CACHE, 'api');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // A 64-character query limit splits the two keywords into two query groups.
    const cfg = join(dir, 'config.yml');
    writeFileSync(
      cfg,
      'brand: Acme\ntimezone: UTC\nkeywords: [acme, "wile e coyote and roadrunner"]\nownAccounts: { twitter: acme_help }\n' +
        'sources:\n  - platform: twitter\n    bearerTokenEnv: TWITTER_BEARER_TOKEN\n    queryLengthLimit: 64\n',
      { mode: 0o600 },
    );
    const pollEnv = { TWITTER_BEARER_TOKEN: 'test-bearer-token', BRANDWATCH_TWITTER_API_URL: fake.url, NODE_EXTRA_CA_CERTS: caFile };
    const poll = async (perGroup) => {
      fake.addMentions(perGroup, 'acme');
      fake.addMentions(perGroup, 'wile e coyote and roadrunner');
      const before = fake.server.requests.length;
      expectOk(await cli(['--config', cfg, '--db', join(dir, 'bw.db'), 'poll', '--json'], { env: pollEnv }), 'brandwatch poll');
      const requests = fake.server.requests.slice(before);
      const perQuery = new Map();
      let ownReplies = 0;
      for (const r of requests.filter((r) => /\/search\/recent$/.test(r.path))) {
        const query = r.query.get('query');
        // The search for the brand's own replies (native responses) is one more group, not a keyword group.
        if (/^\(?from:/.test(query)) ownReplies++;
        else perQuery.set(query, (perQuery.get(query) ?? 0) + 1);
      }
      const other = requests.length - [...perQuery.values()].reduce((a, b) => a + b, 0) - ownReplies;
      return { keywordGroups: [...perQuery.values()], ownReplies, other };
    };
    for (const perGroup of [250, 40, 0]) {
      const { keywordGroups, ownReplies, other } = await poll(perGroup);
      const allowed = Math.max(1, Math.ceil(perGroup / 100));
      const ok = keywordGroups.length === 2 && Math.max(...keywordGroups) <= allowed && ownReplies <= 1 && other <= 1;
      const extra = `, ${ownReplies} own-replies search, ${other} other (metrics lookup of open mentions)`;
      report(ok ? 'ok' : 'miss', `API economy ${perGroup} new`, `${keywordGroups.join(' + ')} requests for 2 keyword groups${extra}; ${perGroup} new posts per group`, `≤ ${allowed} per group, one for each other step`);
    }
  } finally {
    await fake.stop();
  }
}

// ---------------------------------------------------------------- classification
async function classification() {
  const { measureClassification, CLASSIFY_TARGET } = await import('./classify.js');
  const { shipped, adapted } = measureClassification(quick ? 1 : 3, quick ? 50_000 : 200_000);
  const per = (r) => `${Math.round(r).toLocaleString('en')} mentions/s`;
  const target = `≥ ${CLASSIFY_TARGET.toLocaleString('en')}/s on one core`;
  report(shipped >= CLASSIFY_TARGET ? 'ok' : 'miss', 'classify (shipped)', per(shipped), target);
  report(adapted >= CLASSIFY_TARGET ? 'ok' : 'miss', 'classify (adapted)', per(adapted), target);
}

// ---------------------------------------------------------------- main
const started = performance.now();
console.log(`brandwatch bench${quick ? ' --quick' : ''}: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GB RAM, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const available = commands();
if (!onlyPostgres) {
  const smallDb = await mentionsDb({ count: 10_000, seed: SEED, start: START, end: END, log });
  await startup(available, smallDb);
  await ingest();
  await classification();
  for (const count of SIZES.report) await weeklyReport(available, count);
  await exportFigure(available);
  await apiEconomy();
}
const { postgresFigures } = await import('./postgres.js');
await postgresFigures({ report, log, sizes: SIZES, seed: SEED, start: START, end: END, week: WEEK, now: NOW, configPath: config, mentionsDb });
console.log(`${missed.length === 0 ? 'every target met' : `targets missed: ${missed.join(', ')}`} · ${fmt.ms(performance.now() - started)}${quick ? ' (quick: smaller data sets, not the target sizes)' : ''}`);
