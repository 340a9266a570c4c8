import type { Db } from './open.js';
import { openSql } from '../metrics/open.js';
import { NEGATIVE_SQL } from '../metrics/negative.js';
import type { Category, Status } from './mentions.js';
import type { Channel } from '../metrics/vocabulary.js';
import { countWhere, jsonArrayValues, limitValue } from './dialect.js';

export type Delivery = 'none' | 'pending' | 'sent' | 'failed' | 'folded';

/** One entry of the alert log; the same row is the webhook outbox entry. */
export interface AlertRecord {
  id: number;
  key: string;
  kind: string;
  mentionId: number | null;
  keyword: string | null;
  raisedAt: number;
  title: string;
  /** The documented `alert` object of the webhook body, minus `id`. */
  payload: Record<string, unknown>;
  foldedInto: string | null;
  quiet: boolean;
  delivery: Delivery;
  attempts: number;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  lastError: string | null;
}

interface AlertRow {
  id: number;
  key: string;
  kind: string;
  mention_id: number | null;
  keyword: string | null;
  raised_at: number;
  title: string;
  payload: string;
  folded_into: string | null;
  quiet: number;
  delivery: Delivery;
  attempts: number;
  next_attempt_at: number | null;
  delivered_at: number | null;
  last_error: string | null;
}

function toRecord(r: AlertRow): AlertRecord {
  return {
    id: r.id,
    key: r.key,
    kind: r.kind,
    mentionId: r.mention_id,
    keyword: r.keyword,
    raisedAt: r.raised_at,
    title: r.title,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    foldedInto: r.folded_into,
    quiet: r.quiet === 1,
    delivery: r.delivery,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
    lastError: r.last_error,
  };
}

/** An open mention with what the alert rules need: its current and previous engagement readings (the one history, on `mentions`). */
export interface OpenMentionRow {
  id: number;
  platform: string;
  url: string | null;
  author_handle: string;
  text: string;
  keywords: string;
  created_at: number;
  status: Status;
  category: Category | null;
  sentiment: number | null;
  priority: number;
  first_response_at: number | null;
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
  metrics_updated_at: number | null;
  prev_likes: number | null;
  prev_reposts: number | null;
  prev_replies: number | null;
  prev_quotes: number | null;
  prev_metrics_at: number | null;
  channel: Channel;
}

/**
 * The open mentions an alert rule can fire on (src/alerts/rules.ts): created since `createdSince` (a new mention
 * within `maxAge`, SLA deadlines near now), or with an engagement reading since `metricsSince` that growth can be
 * measured on — a previous reading, or a first one taken within `firstSightAge` of the post. A mention that
 * arrived late but old (a backfill) can fire nothing, so it is not read: on a first poll that is nearly all of them.
 */
// `+m.id`: ordered by the row id, SQLite would walk the whole table in that order rather than read the open mentions' index and sort.
export async function openMentionsForAlerts(db: Db, scope: { createdSince: number; metricsSince: number; firstSightAge: number }): Promise<OpenMentionRow[]> {
  return db.all<OpenMentionRow>(
    `SELECT m.id, m.platform, m.url, m.author_handle, m.text, m.keywords, m.created_at, m.status, m.category, m.sentiment, m.priority,
       m.first_response_at, m.likes, m.reposts, m.replies, m.quotes, m.metrics_updated_at,
       m.prev_likes, m.prev_reposts, m.prev_replies, m.prev_quotes, m.prev_metrics_at, m.channel
     FROM mentions m
     WHERE ${openSql('m.status')}
       AND (m.created_at >= @createdSince
         OR (m.metrics_updated_at > @metricsSince AND (m.prev_metrics_at IS NOT NULL OR m.metrics_updated_at - m.created_at <= @firstSightAge)))
     ORDER BY +m.id`,
    scope,
  );
}

export interface DeadlineFacts {
  id: number;
  platform: string;
  created_at: number;
  status: Status;
  category: Category | null;
  first_response_at: number | null;
  channel: Channel;
}

/** Every open mention's SLA facts, for the status line. */
export async function openDeadlineFacts(db: Db): Promise<DeadlineFacts[]> {
  return db.all<DeadlineFacts>(`SELECT id, platform, created_at, status, category, first_response_at, channel FROM mentions WHERE ${openSql()}`);
}

export interface VolumeRow {
  keyword: string;
  recent: number;
  recent_negative: number;
  baseline: number;
  baseline_negative: number;
}

/** Mentions per keyword created in [recentFrom, now] and in [baselineFrom, recentFrom); negative = problem, complaint or sentiment < 0. */
export async function keywordVolumes(db: Db, now: number, recentFrom: number, baselineFrom: number): Promise<VolumeRow[]> {
  return db.all<VolumeRow>(
    `SELECT k.value AS keyword,
       ${countWhere('m.created_at >= @recentFrom')} AS recent,
       ${countWhere(`m.created_at >= @recentFrom AND ${NEGATIVE_SQL}`)} AS recent_negative,
       ${countWhere('m.created_at < @recentFrom')} AS baseline,
       ${countWhere(`m.created_at < @recentFrom AND ${NEGATIVE_SQL}`)} AS baseline_negative
     FROM mentions m CROSS JOIN ${jsonArrayValues(db.kind, 'm.keywords', 'k')}
     WHERE m.created_at >= @baselineFrom AND m.created_at <= @now
     GROUP BY k.value
     HAVING ${countWhere('m.created_at >= @recentFrom')} > 0`,
    { now, recentFrom, baselineFrom },
  );
}

/** Creation time of the oldest stored mention: how far back history goes. */
export async function oldestMentionAt(db: Db): Promise<number | null> {
  return (await db.get<{ at: number | null }>('SELECT min(created_at) AS at FROM mentions'))!.at;
}

export async function spikesSince(db: Db, since: number): Promise<{ keyword: string; at: number; key: string }[]> {
  return db.all<{ keyword: string; at: number; key: string }>("SELECT keyword, raised_at AS at, key FROM alerts WHERE kind = 'spike' AND raised_at >= ? ORDER BY raised_at", [since]);
}

export async function maxMentionId(db: Db): Promise<number | null> {
  return (await db.get<{ id: number | null }>('SELECT max(id) AS id FROM mentions'))!.id;
}

export async function getAlertState(db: Db, name: string): Promise<number | null> {
  const row = await db.get<{ value: number }>('SELECT value FROM alert_state WHERE name = ?', [name]);
  return row ? row.value : null;
}

export async function setAlertState(db: Db, name: string, value: number): Promise<void> {
  await db.run('INSERT INTO alert_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [name, value]);
}

export interface NewAlert {
  key: string;
  kind: string;
  mentionId: number | null;
  keyword: string | null;
  raisedAt: number;
  title: string;
  payload: Record<string, unknown>;
  foldedInto: string | null;
  quiet: boolean;
  delivery: Delivery;
  nextAttemptAt: number | null;
}

/** Log alerts whose key is not logged yet; returns the ones logged now, in order. Call inside a transaction. */
export async function insertAlerts(db: Db, alerts: readonly NewAlert[]): Promise<AlertRecord[]> {
  const insert = `INSERT INTO alerts (key, kind, mention_id, keyword, raised_at, title, payload, folded_into, quiet, delivery, next_attempt_at)
     VALUES (@key, @kind, @mentionId, @keyword, @raisedAt, @title, @payload, @foldedInto, @quiet, @delivery, @nextAttemptAt)
     ON CONFLICT (key) DO NOTHING RETURNING *`;
  const logged: AlertRecord[] = [];
  for (const a of alerts) {
    const row = await db.get<AlertRow>(insert, { ...a, payload: JSON.stringify(a.payload), quiet: a.quiet ? 1 : 0 });
    if (row) logged.push(toRecord(row));
  }
  return logged;
}

/** Alerts waiting for the webhook and due now, oldest first. */
export async function dueDeliveries(db: Db, now: number): Promise<AlertRecord[]> {
  const rows = await db.all<AlertRow>("SELECT * FROM alerts WHERE delivery IN ('pending', 'failed') AND coalesce(next_attempt_at, 0) <= ? ORDER BY id", [now]);
  return rows.map(toRecord);
}

export async function countUndelivered(db: Db): Promise<number> {
  return (await db.get<{ n: number }>("SELECT count(*) AS n FROM alerts WHERE delivery IN ('pending', 'failed')"))!.n;
}

export async function markDelivered(db: Db, id: number, at: number, attempts: number): Promise<void> {
  await db.run("UPDATE alerts SET delivery = 'sent', delivered_at = ?, attempts = attempts + ?, last_error = NULL WHERE id = ?", [at, attempts, id]);
}

export async function markFailed(db: Db, id: number, error: string, attempts: number): Promise<void> {
  await db.run("UPDATE alerts SET delivery = 'failed', attempts = attempts + ?, last_error = ? WHERE id = ?", [attempts, error, id]);
}

export interface AlertFilter {
  since?: number;
  kind?: string;
  limit?: number;
}

/** The alert log, newest first. */
export async function listAlerts(db: Db, filter: AlertFilter = {}): Promise<AlertRecord[]> {
  const rows = await db.all<AlertRow>(
    `SELECT * FROM alerts WHERE (CAST(@since AS BIGINT) IS NULL OR raised_at >= @since) AND (CAST(@kind AS TEXT) IS NULL OR kind = @kind)
     ORDER BY id DESC LIMIT @limit`,
    { since: filter.since ?? null, kind: filter.kind ?? null, limit: limitValue(db.kind, filter.limit) },
  );
  return rows.map(toRecord);
}
