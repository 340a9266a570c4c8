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
import { alertsNow, poll, summaryLine } from './poll.js';
import type { AlertRunReport } from '../../alerts/run.js';
import type { SourceResult } from '../../poll/poll-sources.js';
import type { Stream, StreamState } from '../../sources/stream.js';
import type { FetchedPage } from '../../sources/types.js';

export interface WatchOptions {
  every: string;
  platform?: string;
  /** Hold the platforms' streams where a source has one; poll the rest on the interval. */
  stream?: boolean;
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

/** One queue for everything that stores or alerts: a poll round, a stream's backfill, a streamed page, a saved position. */
function serialQueue() {
  let chain: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };
  return { enqueue, drained: () => chain };
}

/** Poll in a loop, raising alerts (and with `--stream`, hold the platforms' streams); stops at the next safe point on SIGINT/SIGTERM. */
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
  const queue = serialQueue();
  const streaming = options.stream ? await startStreams(ctx, options, queue, { clear, timeZone }) : null;

  if (streaming) {
    const held = streaming.streams.map((s) => `${s.source} (${s.describe()})`).join(', ') || 'none';
    const polled = streaming.polledNames.length > 0 ? `; polling ${streaming.polledNames.join(', ')} every ${formatDuration(every)}` : '';
    io.info(`watch: streaming ${held}${polled} (Ctrl-C to stop)`);
  } else {
    io.info(`watch: polling every ${formatDuration(every)} (Ctrl-C to stop)`);
  }
  let last: { at: string; new: number } | null = null;
  while (!ctx.signal.aborted) {
    try {
      const only = streaming ? streaming.polledNames.concat(streaming.takeBackfills()) : undefined;
      const report = await queue.enqueue(() => poll(ctx, { ...(options.platform ? { platform: options.platform } : {}), ...(only ? { sources: only } : {}) }));
      clear();
      last = { at: hhmm(ctx.now(), timeZone), new: report.new };
      for (const result of report.sources) {
        if (result.status !== 'ok') io.err(summaryLine(result, ctx.now()));
        else io.debug(summaryLine(result, ctx.now()));
      }
      if (streaming && io.json && report.sources.length > 0) {
        io.outJson({ event: 'poll', at: new Date(ctx.now()).toISOString(), sources: report.sources.map(pollEvent) }, true);
      }
      showAlerts(ctx, report.alerts, timeZone, live, streaming !== null);
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
      const streams = streaming ? `${streaming.statusText()} · ` : '';
      show(`${streams}${statusText(status, nextPollAt - ctx.elapsed(), ctx.now(), last)}`);
      await ctx.sleep(Math.min(1000, nextPollAt - ctx.elapsed()));
    }
  }
  // Streams close on the same signal; their last positions are saved before watch says it stopped.
  if (streaming) await streaming.stopped;
  await queue.drained();
  clear();
  io.info('watch: stopped');
}

/** `watch --json`'s poll event: each polled source's outcome. */
function pollEvent(result: SourceResult) {
  return { source: result.source, platform: result.platform, status: result.status, new: result.new, message: result.message };
}

/** Alert lines (or JSON lines), the bell once per round with alerts (never in quiet hours), and a delivery problem. */
function showAlerts(ctx: Context, report: AlertRunReport, timeZone: string, live: boolean, events: boolean): void {
  const { io } = ctx;
  const alerts = report.raised.filter((a) => !a.foldedInto);
  for (const alert of alerts) {
    if (io.json) io.outJson({ ...(events ? { event: 'alert' } : {}), id: alert.id, ...alert.payload, delivery: alert.delivery }, true);
    else io.out(alertLine(ctx, alert, timeZone));
  }
  if (alerts.length > 0 && live && report.quietUntil === null) io.stdout.write('\x07');
  if (report.problem) io.err(`alerts: ${sanitizeLine(report.problem)}; ${report.waiting} waiting for the next round`);
}

/** What a stream is doing, for the status line and `--json`. */
interface StreamStatus {
  state: StreamState;
  /** Elapsed-clock time of the next attempt, while reconnecting. */
  retryAt: number | null;
  message: string | null;
}

/**
 * Start every stream the config allows and consume each in the background: a streamed page is stored by
 * the poll's own store path, then alerts are raised and delivered as after a poll; a (re)connection runs
 * the poll path for that source first (a gap in the stream never loses a mention); positions are saved
 * under the source's `stream` cursor so a restart resumes.
 */
async function startStreams(
  ctx: Context,
  options: WatchOptions,
  queue: ReturnType<typeof serialQueue>,
  view: { clear(): void; timeZone: string },
) {
  const { config, path } = await ctx.config();
  const store = await ctx.store();
  const { io } = ctx;
  const sources = await ctx.sources(options.platform);
  const { buildStreams } = await import('../../sources/streams.js');
  const { streams } = await buildStreams(config, sources, { env: ctx.env, configPath: path });
  const streamed = new Set(streams.map((s) => s.source));
  const polledNames = sources.filter((s) => !streamed.has(s.name)).map((s) => s.name);
  const [{ assessAtIngest }, learning, { storePage }, { loadCursor, saveCursor }, { indexSearchText }] = await Promise.all([
    import('../../triage/assess.js'),
    import('../../triage/learning.js'),
    import('../../poll/poll-sources.js'),
    import('../../store/cursors.js'),
    import('../../store/search-index.js'),
  ]);
  const assess = assessAtIngest(config, () => ctx.now(), await learning.classifierFor(store.db));
  const statuses = new Map<string, StreamStatus>(streams.map((s) => [s.source, { state: 'connecting', retryAt: null, message: null }]));
  const backfills = new Set<string>();
  const at = () => new Date(ctx.now()).toISOString();

  const backfill = async (name: string) => {
    try {
      const report = await poll(ctx, { ...(options.platform ? { platform: options.platform } : {}), sources: [name] });
      for (const result of report.sources) {
        if (result.status !== 'ok') io.err(summaryLine(result, ctx.now()));
        else io.debug(`backfill ${summaryLine(result, ctx.now())}`);
      }
      if (io.json) io.outJson({ event: 'poll', at: at(), backfill: true, sources: report.sources.map(pollEvent) }, true);
      showAlerts(ctx, report.alerts, view.timeZone, false, true);
    } catch (error) {
      if (error instanceof UsageError || error instanceof ConfigError || error instanceof StoreError) throw error;
      // Another poll holds the lock: the next round polls this source too.
      backfills.add(name);
      io.debug(`${name}: backfill deferred (${sanitizeLine((error as Error).message ?? String(error))})`);
    }
  };

  const storeStreamed = async (stream: Stream, page: FetchedPage) => {
    const source = sources.find((s) => s.name === stream.source)!;
    // One transaction for the page, as a polled one: its mentions, replies, threads and usage, and which were new.
    const stored = await storePage({ db: store.db, now: () => ctx.now(), assess, listNew: true }, source, null, page);
    if (stored.new === 0 && stored.nativeReplies === 0) return;
    // A stream may be all a deployment stores: its mentions join the search index as they come (migration 016).
    if (stored.new > 0) await indexSearchText(store.db);
    for (const { id, mention } of stored.stored) {
      if (io.json) {
        io.outJson({ event: 'mention', at: at(), id, source: stream.source, platform: mention.platform, externalId: mention.externalId, url: mention.url, author: mention.authorHandle, keywords: mention.keywords, createdAt: new Date(mention.createdAt).toISOString(), via: 'stream' }, true);
      } else {
        io.debug(`${stream.source}: streamed #${id} from @${sanitizeLine(mention.authorHandle)}`);
      }
    }
    const alerts = await alertsNow(ctx);
    if (alerts) {
      view.clear();
      showAlerts(ctx, alerts, view.timeZone, io.stdoutIsTTY && !io.json && !io.quiet, true);
    }
  };

  const consume = async (stream: Stream) => {
    const position = await loadCursor(store.db, stream.source, STREAM_CURSOR);
    const env = { now: () => ctx.now(), sleep: (ms: number) => ctx.sleep(ms), signal: ctx.signal, verbose: (m: string) => io.debug(m), position };
    try {
      for await (const event of stream.run(env)) {
        switch (event.kind) {
          case 'state': {
            const status: StreamStatus = {
              state: event.state,
              retryAt: event.retryIn !== undefined ? ctx.elapsed() + event.retryIn : null,
              message: event.message ?? null,
            };
            statuses.set(stream.source, status);
            if (io.json) {
              io.outJson({ event: 'stream', at: at(), source: stream.source, platform: stream.platform, state: event.state, ...(event.retryIn !== undefined ? { retryIn: event.retryIn } : {}), ...(event.message ? { message: sanitizeLine(event.message) } : {}) }, true);
            } else if (event.state === 'reconnecting') {
              view.clear();
              io.err(`${stream.source}: stream ${sanitizeLine(event.message ?? 'disconnected')}; reconnecting in ${formatDuration(Math.max(1000, event.retryIn ?? 0))}`);
            } else if (event.state === 'connected') {
              io.debug(`${stream.source}: stream connected`);
            }
            // Connected (again): what the stream may have missed comes from the poll path, before its pages.
            if (event.state === 'connected') {
              void queue.enqueue(() => backfill(stream.source)).catch((error: unknown) => {
                io.err(`${stream.source}: the backfill failed (${sanitizeLine((error as Error).message ?? String(error))}); the next round polls it`);
                backfills.add(stream.source);
              });
            }
            break;
          }
          case 'page':
            void queue.enqueue(() => storeStreamed(stream, event.page)).catch((error: unknown) => {
              // The stream's position moves past this page anyway: the poll path fetches what it held next round.
              io.err(`${stream.source}: a streamed page could not be stored (${sanitizeLine((error as Error).message ?? String(error))}); the next round polls it`);
              backfills.add(stream.source);
            });
            break;
          case 'position': {
            const position = event.position;
            void queue.enqueue(async () => {
              await saveCursor(store.db, stream.source, STREAM_CURSOR, position, ctx.now());
            });
            break;
          }
          case 'keepalive':
            break;
        }
      }
    } catch (error) {
      io.err(`${stream.source}: the stream stopped (${sanitizeLine((error as Error).message ?? String(error))}); polling it every round instead`);
      polledNames.push(stream.source);
      statuses.delete(stream.source);
    }
  };

  const stopped = Promise.all(streams.map(consume)).then(() => undefined);
  return {
    streams,
    polledNames,
    stopped,
    /** Streamed sources the next round must poll: a backfill a held lock deferred, and every stream down now (never connected, or lost). */
    takeBackfills(): string[] {
      const names = new Set(backfills);
      backfills.clear();
      for (const [name, status] of statuses) if (status.state === 'reconnecting') names.add(name);
      return [...names].filter((n) => !polledNames.includes(n));
    },
    /** `twitter: connected · bluesky: reconnecting in 4s` */
    statusText(): string {
      return [...statuses]
        .map(([name, s]) => {
          if (s.state === 'reconnecting') return `${name}: reconnecting in ${formatDuration(Math.max(1000, (s.retryAt ?? 0) - ctx.elapsed()))}`;
          return `${name}: ${s.state}`;
        })
        .join(' · ');
    },
  };
}

/** The cursor key under which a source's stream position is kept (beside its poll cursors). */
export const STREAM_CURSOR = 'stream';

const MARK: Record<string, string> = { new: 'new', sla_soon: 'sla soon', breach: 'breach', viral: 'viral', spike: 'spike' };

/** `09:31 breach  SLA breached: @bob on twitter has waited 31m (target 30m): "…"  #42` */
export function alertLine(ctx: Context, alert: AlertRecord, timeZone: string): string {
  const { color } = ctx.io;
  const mark = (MARK[alert.kind] ?? alert.kind).padEnd(8);
  const paint = alert.kind === 'breach' || alert.kind === 'spike' ? color.red.bold : alert.kind === 'new' ? color.bold : color.yellow;
  const id = alert.mentionId !== null ? color.dim(`  #${alert.mentionId}`) : '';
  return `${hhmm(alert.raisedAt, timeZone)} ${paint(mark)} ${sanitizeLine(alert.title)}${id}`;
}
