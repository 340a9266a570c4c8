import type { Db } from './open.js';
import { statement } from './statements.js';
import { openSql } from '../metrics/open.js';
import { NEGATIVE_SQL } from '../metrics/negative.js';
import type { Category, Status } from './mentions.js';
import type { Channel } from '../metrics/vocabulary.js';

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
 * The open mentions an alert rule can fire on: arrived since the last evaluation (id above `lastSeen`),
 * created since `createdSince` (SLA deadlines near now), or with engagement read since `metricsSince`.
 */
export function openMentionsForAlerts(db: Db, scope: { lastSeen: number; createdSince: number; metricsSince: number }): OpenMentionRow[] {
  return statement<{ lastSeen: number; createdSince: number; metricsSince: number }, OpenMentionRow>(
    db,
    `SELECT m.id, m.platform, m.url, m.author_handle, m.text, m.keywords, m.created_at, m.status, m.category, m.sentiment, m.priority,
       m.first_response_at, m.likes, m.reposts, m.replies, m.quotes, m.metrics_updated_at,
       m.prev_likes, m.prev_reposts, m.prev_replies, m.prev_quotes, m.prev_metrics_at, m.channel
     FROM mentions m
     WHERE ${openSql('m.status')}
       AND (m.id > @lastSeen OR m.created_at >= @createdSince OR m.metrics_updated_at > @metricsSince)
     ORDER BY m.id`,
  ).all(scope);
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
export function openDeadlineFacts(db: Db): DeadlineFacts[] {
  return statement<[], DeadlineFacts>(db, `SELECT id, platform, created_at, status, category, first_response_at, channel FROM mentions WHERE ${openSql()}`).all();
}

export interface VolumeRow {
  keyword: string;
  recent: number;
  recent_negative: number;
  baseline: number;
  baseline_negative: number;
}

/** Mentions per keyword created in [recentFrom, now] and in [baselineFrom, recentFrom); negative = problem, complaint or sentiment < 0. */
export function keywordVolumes(db: Db, now: number, recentFrom: number, baselineFrom: number): VolumeRow[] {
  return statement<{ now: number; recentFrom: number; baselineFrom: number }, VolumeRow>(
    db,
    `SELECT k.value AS keyword,
       sum(m.created_at >= @recentFrom) AS recent,
       sum(m.created_at >= @recentFrom AND ${NEGATIVE_SQL}) AS recent_negative,
       sum(m.created_at < @recentFrom) AS baseline,
       sum(m.created_at < @recentFrom AND ${NEGATIVE_SQL}) AS baseline_negative
     FROM mentions m, json_each(m.keywords) k
     WHERE m.created_at >= @baselineFrom AND m.created_at <= @now
     GROUP BY k.value
     HAVING recent > 0`,
  ).all({ now, recentFrom, baselineFrom });
}

/** Creation time of the oldest stored mention: how far back history goes. */
export function oldestMentionAt(db: Db): number | null {
  return (statement(db, 'SELECT min(created_at) AS at FROM mentions').get() as { at: number | null }).at;
}

export function spikesSince(db: Db, since: number): { keyword: string; at: number; key: string }[] {
  return statement<[number], { keyword: string; at: number; key: string }>(
    db,
    "SELECT keyword, raised_at AS at, key FROM alerts WHERE kind = 'spike' AND raised_at >= ? ORDER BY raised_at",
  ).all(since);
}

export function maxMentionId(db: Db): number | null {
  return (statement(db, 'SELECT max(id) AS id FROM mentions').get() as { id: number | null }).id;
}

export function getAlertState(db: Db, name: string): number | null {
  const row = statement<[string], { value: number }>(db, 'SELECT value FROM alert_state WHERE name = ?').get(name);
  return row ? row.value : null;
}

export function setAlertState(db: Db, name: string, value: number): void {
  statement(db, 'INSERT INTO alert_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, value);
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
export function insertAlerts(db: Db, alerts: readonly NewAlert[]): AlertRecord[] {
  const insert = statement(
    db,
    `INSERT INTO alerts (key, kind, mention_id, keyword, raised_at, title, payload, folded_into, quiet, delivery, next_attempt_at)
     VALUES (@key, @kind, @mentionId, @keyword, @raisedAt, @title, @payload, @foldedInto, @quiet, @delivery, @nextAttemptAt)
     ON CONFLICT (key) DO NOTHING RETURNING *`,
  );
  const logged: AlertRecord[] = [];
  for (const a of alerts) {
    const row = insert.get({ ...a, payload: JSON.stringify(a.payload), quiet: a.quiet ? 1 : 0 }) as AlertRow | undefined;
    if (row) logged.push(toRecord(row));
  }
  return logged;
}

/** Alerts waiting for the webhook and due now, oldest first. */
export function dueDeliveries(db: Db, now: number): AlertRecord[] {
  return statement<[number], AlertRow>(
    db,
    "SELECT * FROM alerts WHERE delivery IN ('pending', 'failed') AND coalesce(next_attempt_at, 0) <= ? ORDER BY id",
  )
    .all(now)
    .map(toRecord);
}

export function countUndelivered(db: Db): number {
  return (statement(db, "SELECT count(*) AS n FROM alerts WHERE delivery IN ('pending', 'failed')").get() as { n: number }).n;
}

export function markDelivered(db: Db, id: number, at: number, attempts: number): void {
  statement(db, "UPDATE alerts SET delivery = 'sent', delivered_at = ?, attempts = attempts + ?, last_error = NULL WHERE id = ?").run(at, attempts, id);
}

export function markFailed(db: Db, id: number, error: string, attempts: number): void {
  statement(db, "UPDATE alerts SET delivery = 'failed', attempts = attempts + ?, last_error = ? WHERE id = ?").run(attempts, error, id);
}

export interface AlertFilter {
  since?: number;
  kind?: string;
  limit?: number;
}

/** The alert log, newest first. */
export function listAlerts(db: Db, filter: AlertFilter = {}): AlertRecord[] {
  return statement<{ since: number | null; kind: string | null; limit: number }, AlertRow>(
    db,
    `SELECT * FROM alerts WHERE (@since IS NULL OR raised_at >= @since) AND (@kind IS NULL OR kind = @kind)
     ORDER BY id DESC LIMIT @limit`,
  )
    .all({ since: filter.since ?? null, kind: filter.kind ?? null, limit: filter.limit ?? -1 })
    .map(toRecord);
}
