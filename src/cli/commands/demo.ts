import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { starterConfig } from '../../config/template.js';
import { SAMPLE_BRAND, SAMPLE_HANDLE } from '../../sources/sample/conversation.js';
import { systemTimeZone } from '../../time/zone.js';
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
    keywords: [{ term: 'fernhill', exclude: ['fernhill trail'] }, `@${SAMPLE_HANDLE}`],
    twitterHandle: SAMPLE_HANDLE,
    timezone: systemTimeZone(),
    demo: { start },
    database: 'brandwatch.db',
  });
  writeFileSync(configPath, text, { mode: 0o600 });

  // Replay the fortnight as a cron job polling every 15 minutes would have seen it, so detection lag
  // and response times in the report are those of a real set-up, then poll once more at the real time.
  let replayAt: number | null = Date.parse(start);
  const demo = ctx.derive({ config: configPath, db: dbPath }, () => replayAt ?? ctx.now());
  ctx.io.info(`demo: ${SAMPLE_BRAND} broadband, 14 days of mentions on the bundled sample platform (config and database in ${dir})`);
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
  ctx.io.info(
    `\nExplore it: brandwatch --config ${join(options.dir, 'config.yml')} list --status all | show <id> | poll | report | export --week last --out week.csv`,
  );
  demo.close();
}
