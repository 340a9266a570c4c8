import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { starterConfig } from '../../config/template.js';
import { SAMPLE_BRAND, SAMPLE_HANDLE } from '../../sources/sample/conversation.js';
import { poll, summaryLine } from './poll.js';
import { list, renderMentionTable } from './list.js';
import { report as weeklyReport, render as renderReport } from './report.js';

const REPLAY_INTERVAL = 15 * 60_000;

export interface DemoOptions {
  dir: string;
}

/** Offline tour: a fresh config and database fed by the bundled sample platform, then poll and the inbox. */
export async function run(ctx: Context, options: DemoOptions): Promise<void> {
  const dir = resolve(options.dir);
  const configPath = join(dir, 'config.yml');
  const dbPath = join(dir, 'brandwatch.db');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`--dir: cannot create the folder ${dir} (${(error as NodeJS.ErrnoException).code}); choose another --dir`);
  }
  for (const suffix of ['', '-wal', '-shm', '.poll-lock']) rmSync(`${dbPath}${suffix}`, { force: true });
  const start = new Date(ctx.now() - 14 * 86_400_000).toISOString();
  const text = starterConfig({
    brand: SAMPLE_BRAND,
    // The noise a real Fernhill search brings (a trail, a road, a school, a football club), left out by the excludes.
    keywords: [{ term: 'fernhill', exclude: ['fernhill trail', 'fernhill road', 'fernhill primary', 'fernhill fc'] }, `@${SAMPLE_HANDLE}`],
    twitterHandle: SAMPLE_HANDLE,
    // A UK brand: days, weeks and business hours in London time.
    timezone: 'Europe/London',
    demo: { start },
    database: 'brandwatch.db',
  });
  writeFileSync(configPath, text, { mode: 0o600 });

  // Replay the fortnight as a cron job polling every 15 minutes would have seen it, so detection lag
  // and response times in the report are those of a real set-up, then poll once more at the real time.
  let replayAt: number | null = Date.parse(start);
  const demo = ctx.derive({ config: configPath, db: dbPath }, () => replayAt ?? ctx.now());
  ctx.io.info(`demo: ${SAMPLE_BRAND} broadband, 14 days of mentions on sample X, Mastodon, Bluesky and Google Alerts platforms (config and database in ${dir})`);
  let replayed = 0;
  for (replayAt += REPLAY_INTERVAL; replayAt < ctx.now(); replayAt += REPLAY_INTERVAL) {
    replayed += (await poll(demo, {})).new;
    if (ctx.signal.aborted) break;
  }
  replayAt = null;
  const report = await poll(demo, {});
  ctx.io.info(`replayed 14 days of polls every 15 minutes: ${replayed} mentions stored`);
  for (const result of report.sources) ctx.io.info(summaryLine(result, ctx.now()));

  const open = await list(demo, { limit: 15 });
  const weekly = await weeklyReport(demo, { week: 'last' });
  if (ctx.io.json) {
    ctx.io.outJson({ dir, poll: report, inbox: open.map((m) => m.id), report: weekly });
  } else {
    ctx.io.out(`\nInbox — ${open.length} most urgent open mentions:`);
    ctx.io.out(await renderMentionTable(demo, open, await demo.timeZone()));
    ctx.io.out(`\n${await renderReport(demo, weekly, 'table')}`);
  }
  const hint = ctx.derive({ config: join(options.dir, 'config.yml') });
  ctx.io.info(
    [
      '',
      'Next, try:',
      `  ${hint.invocation('triage')}                          work the queue, most urgent first (? lists the keys)`,
      `  ${hint.invocation('list', '--search', 'outage', '--status', 'all')}  search the text of every mention`,
      `  ${hint.invocation('report', '--format', 'html', '--out', 'report.html')}  last week's report for the manager`,
    ].join('\n'),
  );
  await demo.close();
}
