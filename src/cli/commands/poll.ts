import type { Context } from '../context.js';
import { PartialFailure, RuntimeFailure, TemporaryError } from '../../errors.js';
import { sourceName } from '../../sources/index.js';
import { acquirePollLock, tryDeliveryLock } from '../../store/lock.js';
import { pollOutcome, pollSources, type SourceLimits, type SourceResult } from '../../poll/poll-sources.js';
import { formatMoney } from '../../metrics/cost.js';
import { formatDuration } from '../../config/duration.js';
import { sanitizeLine } from '../../io/sanitize.js';
import type { AlertRunOptions, AlertRunReport, RaisedAlerts } from '../../alerts/run.js';
import type { NewMention } from '../../sources/types.js';
import type { Assessment } from '../../store/mentions.js';

export interface PollCommandOptions {
  platform?: string;
  /** Only these source names (watch: the sources not streamed, and a stream's backfill). */
  sources?: readonly string[];
  /** The first guess stored with each new mention; default: the store's classifier (the bench passes precomputed guesses to time the store alone). */
  assess?: (mention: NewMention) => Assessment;
}

export interface PollReport {
  sources: SourceResult[];
  new: number;
  /** ok, or why the poll is not a full success (cron must notice). */
  outcome: ReturnType<typeof pollOutcome>;
  /** What the alert rules raised and delivered after this poll. */
  alerts: AlertRunReport;
}

/** Poll every configured source once; the lock keeps overlapping cron runs apart. */
export async function poll(ctx: Context, options: PollCommandOptions): Promise<PollReport> {
  const { config } = await ctx.config();
  const only = options.sources;
  const sources = (await ctx.sources(options.platform)).filter((s) => !only || only.includes(s.name));
  const store = await ctx.store();
  const lock = await acquirePollLock(store.db);
  let results: SourceResult[];
  let raised: RaisedAlerts;
  let alertOptions: AlertRunOptions;
  const timeZone = await ctx.timeZone();
  const { raiseAlerts, deliverAlerts } = await import('../../alerts/run.js');
  try {
    const budgets = new Map<string, number>();
    const limits = new Map<string, SourceLimits>();
    for (const source of config.sources) {
      if (source.monthlyReadBudget !== undefined) budgets.set(sourceName(source), source.monthlyReadBudget);
      limits.set(sourceName(source), { ...(source.monthlyBudget !== undefined ? { money: source.monthlyBudget } : {}), maxPages: source.maxPages });
    }
    const [{ assessAtIngest, recomputePriorities }, learning] = await Promise.all([import('../../triage/assess.js'), import('../../triage/learning.js')]);
    const assess = options.assess ?? assessAtIngest(config, () => ctx.now(), learning.classifierOnDemand(store.db));
    results = await pollSources({
      db: store.db,
      sources,
      budgets,
      limits,
      now: () => ctx.now(),
      sleep: (ms) => ctx.sleep(ms),
      signal: ctx.signal,
      verbose: (message) => ctx.io.debug(message),
      assess,
    });
    // Enough new labels from the person: adapt, and re-guess the open mentions before priorities are recomputed.
    if (await learning.dueForLearning(store.db)) {
      const learnt = await learning.learn(store.db, ctx.now());
      ctx.io.debug(`learnt from ${learnt.labels} labels; ${learnt.reguessed} open mentions re-guessed, ${learnt.changed} changed`);
    }
    // SLA time left changes with the clock: keep the stored priorities of open items current for `list`
    // and for the alert rules that read them.
    await recomputePriorities(store.db, config, ctx.now());
    alertOptions = { db: store.db, config, env: ctx.env, now: ctx.now(), timeZone, signal: ctx.signal, verbose: (m: string) => ctx.io.debug(m) };
    raised = await raiseAlerts(alertOptions);
  } finally {
    await lock.release();
  }
  // Delivery waits on the webhook: outside the poll lock, so a slow receiver never makes the next cron poll exit 75.
  const delivers = raised.webhook !== null && 'target' in raised.webhook && raised.quietUntil === null;
  const delivery = delivers ? await tryDeliveryLock(store.db) : null;
  let alerts: AlertRunReport;
  try {
    alerts = await deliverAlerts({ ...alertOptions, skip: delivers && delivery === null, elapsed: () => ctx.elapsed() }, raised);
  } finally {
    await delivery?.release();
  }
  return { sources: results, new: results.reduce((n, r) => n + r.new, 0), outcome: pollOutcome(results), alerts };
}

/**
 * Raise and deliver alerts now, as after a poll (watch: after a streamed page is stored). Null when a poll
 * holds the lock: that poll raises them when it has stored its pages.
 */
export async function alertsNow(ctx: Context): Promise<AlertRunReport | null> {
  const { config } = await ctx.config();
  const store = await ctx.store();
  const timeZone = await ctx.timeZone();
  const { raiseAlerts, deliverAlerts } = await import('../../alerts/run.js');
  let lock;
  try {
    lock = await acquirePollLock(store.db);
  } catch (error) {
    if (error instanceof TemporaryError) return null;
    throw error;
  }
  let raised: RaisedAlerts;
  const alertOptions: AlertRunOptions = { db: store.db, config, env: ctx.env, now: ctx.now(), timeZone, signal: ctx.signal, verbose: (m: string) => ctx.io.debug(m) };
  try {
    raised = await raiseAlerts(alertOptions);
  } finally {
    await lock.release();
  }
  const delivers = raised.webhook !== null && 'target' in raised.webhook && raised.quietUntil === null;
  const delivery = delivers ? await tryDeliveryLock(store.db) : null;
  try {
    return await deliverAlerts({ ...alertOptions, skip: delivers && delivery === null, elapsed: () => ctx.elapsed() }, raised);
  } finally {
    await delivery?.release();
  }
}

export async function run(ctx: Context, options: PollCommandOptions): Promise<void> {
  const report = await poll(ctx, options);
  const { alerts } = report;
  if (ctx.io.json) ctx.io.outJson({ ...report, alerts: alertSummary(alerts) });
  for (const result of report.sources) {
    const line = summaryLine(result, ctx.now());
    // Problems always reach stderr, where cron mails them; the summary goes to stdout unless --json/--quiet.
    if (result.status !== 'ok') ctx.io.err(line);
    else if (!ctx.io.json && !ctx.io.quiet) ctx.io.out(line);
  }
  const shown = alerts.raised.filter((a) => !a.foldedInto).length;
  if (shown > 0 && !ctx.io.json && !ctx.io.quiet) ctx.io.out(`alerts: ${shown} raised, ${alerts.delivered} delivered`);
  // A webhook that keeps failing must reach cron's mail: the alerts wait in the log meanwhile.
  if (alerts.problem) ctx.io.err(`alerts: ${sanitizeLine(alerts.problem)}; ${alerts.waiting} waiting for the next run`);
  if (ctx.signal.aborted) throw new TemporaryError('interrupted by a signal; what was fetched is stored and the next poll resumes where this one stopped');
  switch (report.outcome) {
    case 'rate_limited':
      throw new TemporaryError('every source is rate limited', { reported: true });
    case 'failed':
      throw new RuntimeFailure('no source could be polled', { reported: true });
    case 'partial':
      throw new PartialFailure('some sources failed', { reported: true });
  }
}

/** `poll --json`'s `alerts`: counts and keys, not the whole log entries. */
export function alertSummary(alerts: AlertRunReport) {
  return {
    raised: alerts.raised.map((a) => ({ id: a.id, key: a.key, kind: a.kind, title: a.title, delivery: a.delivery })),
    delivered: alerts.delivered,
    waiting: alerts.waiting,
    problem: alerts.problem,
  };
}

/** `twitter: 12 new, 2 pages, 2 requests, rate limit 448/450 · month 1,234/10,000 posts read (projected 9,800)` */
export function summaryLine(result: SourceResult, now: number): string {
  const parts = [`${result.new} new`];
  if (result.nativeReplies > 0) parts.push(`${result.nativeReplies} replied outside brandwatch`);
  parts.push(`${result.pages} page${result.pages === 1 ? '' : 's'}`, `${result.requests} request${result.requests === 1 ? '' : 's'}`);
  const rl = result.rateLimit;
  if (rl && rl.remaining !== null && rl.limit !== null) {
    const reset = rl.resetAt !== null ? ` (resets in ${formatDuration(Math.max(0, rl.resetAt - now))})` : '';
    parts.push(`rate limit ${rl.remaining}/${rl.limit} left${reset}`);
  }
  const m = result.month;
  const budget = m.budget !== null ? `/${m.budget.toLocaleString('en')}` : '';
  parts.push(`month ${m.postsRead.toLocaleString('en')}${budget} posts read (projected ${m.projectedPostsRead.toLocaleString('en')})`);
  if (m.spend !== null) {
    const cap = m.moneyBudget !== null ? `/${formatMoney(m.moneyBudget)}` : '';
    parts.push(`${formatMoney(result.spend ?? 0)} this poll, month ${formatMoney(m.spend)}${cap} spent (projected ${formatMoney(m.projectedSpend ?? 0)})`);
  }
  const message = sanitizeLine(result.message ?? '');
  const head = result.status === 'ok' ? `${result.source}:` : `${result.source}: ${result.status.replace('_', ' ')}: ${message} —`;
  // A poll that worked can still have stopped early (the page cap, a repeated page token): say so.
  const note = result.status === 'ok' && message !== '' ? ` — ${message}` : '';
  return `${head} ${parts.join(', ')}${note}`;
}
