import { countedVolumes } from '../store/usage.js';
import { alertsConfig, type AlertsConfig, type Config } from '../config/schema.js';
import { DEFAULT_SLA_TARGET, slaDeadline, slaTarget } from '../metrics/sla.js';
import { responseClockFor } from '../time/business.js';
import type { Db } from '../store/open.js';
import {
  countUndelivered,
  dueDeliveries,
  getAlertState,
  insertAlerts,
  keywordVolumes,
  markDelivered,
  markFailed,
  maxMentionId,
  oldestMentionAt,
  openMentionsForAlerts,
  setAlertState,
  spikesSince,
  type AlertRecord,
  type NewAlert,
} from '../store/alerts.js';
import { sanitizeText } from '../io/sanitize.js';
import { FIRST_SIGHT_AGE } from '../metrics/engagement.js';
import { evaluateAlerts, type KeywordVolume, type MentionFacts, type RuleSettings } from './rules.js';
import { quietUntil } from './quiet.js';
import { postAlert, webhookOrigin, type WebhookTarget } from './webhook.js';

/** The config's `alerts` object with every default filled in (alerts are logged even without one). */
export function alertSettings(config: Pick<Config, 'alerts'>): AlertsConfig {
  return config.alerts ?? alertsConfig.parse({});
}

export type WebhookResolution = { target: WebhookTarget } | { problem: string } | null;

/** The webhook to deliver to: from `webhook`, or from the variable `webhookEnv` names; null when none is configured. */
export function resolveWebhook(settings: AlertsConfig, env: NodeJS.ProcessEnv): WebhookResolution {
  let url = settings.webhook;
  if (!url && settings.webhookEnv) {
    const value = env[settings.webhookEnv]?.trim();
    if (!value) return { problem: `alerts.webhookEnv: the environment variable ${settings.webhookEnv} is not set; alerts wait in the log until it is` };
    let parsed: URL | null = null;
    try {
      parsed = new URL(value);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      return { problem: `alerts.webhookEnv: ${settings.webhookEnv} does not hold an http(s):// URL; alerts wait in the log until it does` };
    }
    url = value;
  }
  if (!url) return null;
  return { target: { url, timeout: settings.timeout, attempts: settings.retry.attempts, baseDelay: settings.retry.baseDelay } };
}

export interface AlertRunOptions {
  db: Db;
  config: Config;
  env: NodeJS.ProcessEnv;
  now: number;
  timeZone: string;
  /** Stops delivery between alerts (SIGINT/SIGTERM); undelivered alerts wait for the next run. */
  signal: AbortSignal;
  verbose(message: string): void;
}

export interface AlertRunReport {
  /** Alerts logged by this run, in order (folded ones included: `foldedInto` says which spike speaks for them). */
  raised: AlertRecord[];
  delivered: number;
  /** Alerts still waiting for the webhook after this run (failed, quiet hours, or no URL yet). */
  waiting: number;
  /** Why delivery stopped, in one line without the URL's secret parts; null when all went well. */
  problem: string | null;
  /** Inside quiet hours: webhook deliveries wait until this time. */
  quietUntil: number | null;
}

/** What the rules raised, with what delivery needs: the resolved webhook and quiet hours. */
export interface RaisedAlerts {
  raised: AlertRecord[];
  webhook: WebhookResolution;
  quietUntil: number | null;
}

/** How long one run may spend delivering; what is left waits for the next run. */
export const DELIVERY_BUDGET_MS = 60_000;

export interface DeliveryOptions extends AlertRunOptions {
  /** Another process is delivering (it holds the delivery lock): leave the alerts to it and to the next run. */
  skip?: boolean;
  /** Monotonic milliseconds, for the time budget. */
  elapsed?: () => number;
  budgetMs?: number;
}

/** Evaluate the rules after a poll, log new alerts (one transaction), then deliver due ones in order. */
export async function runAlerts(options: AlertRunOptions): Promise<AlertRunReport> {
  return deliverAlerts(options, await raiseAlerts(options));
}

/** Evaluate the rules and log new alerts, in one write transaction (under the poll lock: it reads what the poll stored). */
export async function raiseAlerts(options: Omit<AlertRunOptions, 'signal'>): Promise<RaisedAlerts> {
  const { db, config, now } = options;
  const settings = alertSettings(config);
  const webhook = resolveWebhook(settings, options.env);
  const quiet = quietUntil(now, settings.quietHours, options.timeZone);
  // With `businessHours`, SLA deadlines (and so SLA alerts) follow the same business clock as reports.
  const clock = responseClockFor(config, options.timeZone);

  const raised = await db.transaction(async (tx) => {
      const lastSeen = await getAlertState(tx, 'last_mention_id');
      // SLA rules look at deadlines from maxAge ago to slaLead ahead: creation within the longest target before that
      // (on a business clock, a target can stretch over closed days and holidays: allow a month of them).
      const longestTarget = Math.max(DEFAULT_SLA_TARGET, ...Object.values(config.sla));
      const closedDays = clock.kind === 'business' ? 31 * 86_400_000 : 0;
      // Engagement read after the last evaluation may show growth; earlier readings were judged then.
      const metricsSince = await getAlertState(tx, 'metrics_seen_until') ?? -1;
      const rows = await openMentionsForAlerts(tx, { createdSince: now - settings.maxAge - longestTarget - closedDays, metricsSince, firstSightAge: FIRST_SIGHT_AGE });
      const mentions = rows.map((row): MentionFacts => {
        const target = slaTarget(config, row.platform, row.channel);
        return {
          id: row.id,
          platform: row.platform,
          url: row.url,
          authorHandle: row.author_handle,
          text: row.text,
          keywords: JSON.parse(row.keywords) as string[],
          createdAt: row.created_at,
          status: row.status,
          category: row.category,
          sentiment: row.sentiment,
          priority: row.priority,
          firstResponseAt: row.first_response_at,
          engagement:
            row.metrics_updated_at === null ? null : { likes: row.likes, reposts: row.reposts, replies: row.replies, quotes: row.quotes, at: row.metrics_updated_at },
          previousEngagement:
            row.prev_metrics_at === null
              ? null
              : { likes: row.prev_likes ?? 0, reposts: row.prev_reposts ?? 0, replies: row.prev_replies ?? 0, quotes: row.prev_quotes ?? 0, at: row.prev_metrics_at },
          slaTarget: target,
          deadline: slaDeadline(row.created_at, target, clock),
          channel: row.channel,
        };
      });
      const output = evaluateAlerts({
        now,
        settings: ruleSettings(settings),
        mentions,
        lastSeenMentionId: lastSeen,
        volumes: await volumes(tx, now, settings.spike),
        spikes: await spikesSince(tx, now - settings.maxAge - settings.spike.cooldown),
      });
      const byId = new Map(mentions.map((m) => [m.id, m]));
      const logged = await insertAlerts(
        tx,
        output.alerts.map((a): NewAlert => {
          const m = a.mentionId === null ? null : byId.get(a.mentionId)!;
          return {
            key: a.key,
            kind: a.kind,
            mentionId: a.mentionId,
            keyword: a.keyword,
            raisedAt: now,
            title: a.title,
            payload: {
              key: a.key,
              kind: a.kind,
              raisedAt: new Date(now).toISOString(),
              title: a.title,
              keyword: a.keyword,
              mention: m && {
                id: m.id,
                platform: m.platform,
                url: m.url,
                author: m.authorHandle,
                // A direct message is private: the payload names the sender and links it, never its text.
                text: m.channel === 'dm' ? null : sanitizeText(m.text),
                channel: m.channel ?? 'public',
                category: m.category,
                priority: Math.round(m.priority),
                createdAt: new Date(m.createdAt).toISOString(),
                deadline: new Date(m.deadline).toISOString(),
              },
              details: a.details,
              foldedInto: a.foldedInto,
            },
            foldedInto: a.foldedInto,
            quiet: quiet !== null,
            delivery: a.foldedInto ? 'folded' : webhook ? 'pending' : 'none',
            nextAttemptAt: quiet,
          };
        }),
      );
      const metricsSeen = rows.reduce((max, r) => Math.max(max, r.metrics_updated_at ?? -1), metricsSince);
      if (metricsSeen >= 0) await setAlertState(tx, 'metrics_seen_until', metricsSeen);
      const newest = await maxMentionId(tx);
      if (newest !== null) await setAlertState(tx, 'last_mention_id', Math.max(newest, lastSeen ?? 0));
      return logged;
    });
  for (const alert of raised) options.verbose(`alert ${alert.kind}${alert.foldedInto ? ` (folded into ${alert.foldedInto})` : ''}: ${alert.title}`);
  return { raised, webhook, quietUntil: quiet };
}

/**
 * Deliver due alerts in order, within a time budget. Runs outside the poll lock (a slow webhook must not
 * make overlapping cron polls exit 75); one process delivers at a time (the caller's delivery lock), and
 * alerts logged meanwhile by another poll are picked up before it stops.
 */
export async function deliverAlerts(options: DeliveryOptions, raisedAlerts: RaisedAlerts): Promise<AlertRunReport> {
  const { db, now } = options;
  const { raised, webhook, quietUntil: quiet } = raisedAlerts;
  const elapsed = options.elapsed ?? (() => performance.now());
  const budget = options.budgetMs ?? DELIVERY_BUDGET_MS;
  const started = elapsed();
  let delivered = 0;
  let problem: string | null = null;
  if (webhook && 'problem' in webhook) {
    problem = webhook.problem;
  } else if (webhook && quiet === null && !options.skip) {
    const tried = new Set<number>();
    deliver: for (;;) {
      const due = (await dueDeliveries(db, now)).filter((a) => !tried.has(a.id));
      if (due.length === 0) break;
      for (const alert of due) {
        if (options.signal.aborted) break deliver;
        if (elapsed() - started >= budget) {
          options.verbose(`alerts: the delivery time budget (${Math.round(budget / 1000)} s) is used; the rest wait for the next run`);
          break deliver;
        }
        tried.add(alert.id);
        const outcome = await postAlert(webhook.target, alert);
        const own = raised.find((r) => r.id === alert.id);
        if (outcome.ok) {
          await markDelivered(db, alert.id, now, outcome.attempts);
          if (own) own.delivery = 'sent';
          delivered++;
          continue;
        }
        await markFailed(db, alert.id, outcome.error, outcome.attempts);
        if (own) own.delivery = 'failed';
        // Later alerts wait too, so the receiver always gets them in order.
        problem = `webhook ${webhookOrigin(webhook.target.url)}: ${outcome.error} (after ${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'})`;
        break deliver;
      }
    }
  } else if (options.skip) {
    options.verbose('alerts: another brandwatch process is delivering them');
  }
  return { raised, delivered, waiting: webhook ? await countUndelivered(db) : 0, problem, quietUntil: quiet };
}

function ruleSettings(settings: AlertsConfig): RuleSettings {
  return {
    minPriority: settings.minPriority,
    slaLead: settings.slaLead,
    slaMinPriority: settings.slaMinPriority,
    maxAge: settings.maxAge,
    viral: settings.viral,
    spike: settings.spike,
  };
}

async function volumes(db: Db, now: number, spike: AlertsConfig['spike']): Promise<KeywordVolume[]> {
  const recentFrom = now - spike.window;
  const oldest = await oldestMentionAt(db);
  const baselineFrom = Math.max(now - spike.baseline, oldest ?? now);
  const span = Math.max(0, recentFrom - baselineFrom);
  const found: KeywordVolume[] = (await keywordVolumes(db, now, recentFrom, now - spike.baseline)).map((v) => ({
    keyword: v.keyword,
    recent: v.recent,
    recentNegative: v.recent_negative,
    baseline: v.baseline,
    baselineNegative: v.baseline_negative,
    baselineSpan: span,
  }));
  // Where X's counts/recent is configured, its volume (every matching post, none read) replaces the stored count.
  for (const counted of await countedVolumes(db, now, recentFrom, now - spike.baseline)) {
    if (counted.recent === 0) continue;
    const countedSpan = Math.max(0, recentFrom - Math.max(now - spike.baseline, counted.since));
    const existing = found.find((v) => v.keyword === counted.key);
    if (existing) Object.assign(existing, { recent: counted.recent, baseline: counted.baseline, baselineSpan: countedSpan });
    else found.push({ keyword: counted.key, recent: counted.recent, recentNegative: 0, baseline: counted.baseline, baselineNegative: 0, baselineSpan: countedSpan });
  }
  return found;
}
