import type { Context } from '../context.js';
import { ConfigError, StoreError, TemporaryError, UsageError } from '../../errors.js';
import { formatDuration, parseDuration } from '../../config/duration.js';
import { sanitizeLine, truncate } from '../../io/sanitize.js';
import { localParts } from '../../time/zone.js';
import { isPastDeadline, slaDeadline, slaTarget } from '../../metrics/sla.js';
import { CALENDAR_TIME, responseClockFor, type ResponseClock } from '../../time/business.js';
import { awaitingFirstResponse } from '../../metrics/response.js';
import { openDeadlineFacts } from '../../store/alerts.js';
import type { AlertRecord } from '../../store/alerts.js';
import type { Config } from '../../config/schema.js';
import type { Db } from '../../store/open.js';
import { poll, summaryLine } from './poll.js';

export interface WatchOptions {
  every: string;
  platform?: string;
}

/** What the status line shows between polls. */
export interface InboxStatus {
  open: number;
  overdue: number;
  nearest: { mentionId: number; deadline: number } | null;
}

/** Open mentions, how many are past their first-response deadline, and the next deadline to come. */
export async function inboxStatus(db: Db, config: Config, now: number, clock: ResponseClock = CALENDAR_TIME): Promise<InboxStatus> {
  const rows = await openDeadlineFacts(db);
  let overdue = 0;
  let nearest: InboxStatus['nearest'] = null;
  for (const row of rows) {
    if (!awaitingFirstResponse({ status: row.status, category: row.category, firstResponseAt: row.first_response_at })) continue;
    const deadline = slaDeadline(row.created_at, slaTarget(config, row.platform, row.channel), clock);
    if (isPastDeadline(deadline, now)) overdue++;
    else if (!nearest || deadline < nearest.deadline) nearest = { mentionId: row.id, deadline };
  }
  return { open: rows.length, overdue, nearest };
}

/** `next poll in 42s · 12 open · 2 overdue · next SLA deadline: #42 in 8m · last poll 09:30, 3 new` */
export function statusText(status: InboxStatus, nextPollIn: number, now: number, last: { at: string; new: number } | null): string {
  const parts = [`next poll in ${formatDuration(Math.max(0, nextPollIn))}`, `${status.open} open`];
  if (status.overdue > 0) parts.push(`${status.overdue} overdue`);
  parts.push(status.nearest ? `next SLA deadline: #${status.nearest.mentionId} in ${formatDuration(Math.max(0, status.nearest.deadline - now))}` : 'no SLA deadline pending');
  if (last) parts.push(`last poll ${last.at}, ${last.new} new`);
  return parts.join(' · ');
}

/** Wait between polls: the interval ±10%, so several watchers (or cron) do not hit a platform in step. */
export function jittered(every: number, random: () => number = Math.random): number {
  return Math.round(every * (0.9 + 0.2 * random()));
}

function hhmm(at: number, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** Poll in a loop, raising alerts; stops at the next safe point on SIGINT/SIGTERM. */
export async function run(ctx: Context, options: WatchOptions): Promise<void> {
  const every = parseDuration(options.every);
  if (every === null || every < 1000 || every > 86_400_000) {
    throw new UsageError(`--every: "${options.every}" is not a duration between 1s and 24h (use e.g. 30s, 2m, 5m)`);
  }
  const { config } = await ctx.config();
  const timeZone = await ctx.timeZone();
  const clock = responseClockFor(config, timeZone);
  const store = await ctx.store();
  const { io } = ctx;
  const live = io.stdoutIsTTY && !io.json && !io.quiet;
  let shown = false;
  const clear = () => {
    if (shown) io.stdout.write('\r\x1b[2K');
    shown = false;
  };
  // A pseudo-terminal may report 0 columns: fall back to COLUMNS, then 100. One row, or `\r` cannot rewrite it.
  const width = (io.columns > 0 ? io.columns : Number(ctx.env.COLUMNS) || 100) - 1;
  const show = (text: string) => {
    io.stdout.write(`\r\x1b[2K${truncate(text, Math.max(10, width))}`);
    shown = true;
  };

  io.info(`watch: polling every ${formatDuration(every)} (Ctrl-C to stop)`);
  let last: { at: string; new: number } | null = null;
  while (!ctx.signal.aborted) {
    try {
      const report = await poll(ctx, options.platform ? { platform: options.platform } : {});
      clear();
      last = { at: hhmm(ctx.now(), timeZone), new: report.new };
      for (const result of report.sources) {
        if (result.status !== 'ok') io.err(summaryLine(result, ctx.now()));
        else io.debug(summaryLine(result, ctx.now()));
      }
      const alerts = report.alerts.raised.filter((a) => !a.foldedInto);
      for (const alert of alerts) {
        if (io.json) io.outJson({ id: alert.id, ...alert.payload, delivery: alert.delivery }, true);
        else io.out(alertLine(ctx, alert, timeZone));
      }
      // The bell rings once per round with alerts, and never in quiet hours.
      if (alerts.length > 0 && live && report.alerts.quietUntil === null) io.stdout.write('\x07');
      if (report.alerts.problem) io.err(`alerts: ${sanitizeLine(report.alerts.problem)}; ${report.alerts.waiting} waiting for the next round`);
    } catch (error) {
      if (error instanceof UsageError || error instanceof ConfigError || error instanceof StoreError) throw error;
      clear();
      if (error instanceof TemporaryError) io.info('watch: another poll holds the lock; skipping this round');
      else io.err(`watch: this round failed (${sanitizeLine((error as Error).message ?? String(error))}); trying again next round`);
    }
    if (ctx.signal.aborted) break;

    const nextPollAt = ctx.elapsed() + jittered(every);
    if (!live) {
      await ctx.sleep(nextPollAt - ctx.elapsed());
      continue;
    }
    const status = await inboxStatus(store.db, config, ctx.now(), clock);
    while (!ctx.signal.aborted && ctx.elapsed() < nextPollAt) {
      show(statusText(status, nextPollAt - ctx.elapsed(), ctx.now(), last));
      await ctx.sleep(Math.min(1000, nextPollAt - ctx.elapsed()));
    }
  }
  clear();
  io.info('watch: stopped');
}

const MARK: Record<string, string> = { new: 'new', sla_soon: 'sla soon', breach: 'breach', viral: 'viral', spike: 'spike' };

/** `09:31 breach  SLA breached: @bob on twitter has waited 31m (target 30m): "…"  #42` */
export function alertLine(ctx: Context, alert: AlertRecord, timeZone: string): string {
  const { color } = ctx.io;
  const mark = (MARK[alert.kind] ?? alert.kind).padEnd(8);
  const paint = alert.kind === 'breach' || alert.kind === 'spike' ? color.red.bold : alert.kind === 'new' ? color.bold : color.yellow;
  const id = alert.mentionId !== null ? color.dim(`  #${alert.mentionId}`) : '';
  return `${hhmm(alert.raisedAt, timeZone)} ${paint(mark)} ${sanitizeLine(alert.title)}${id}`;
}
