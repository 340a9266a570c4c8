/** Proactive posts (e.g. an outage notice), which answer no mention: pending → sent | failed | unknown. */
import type { Db } from './open.js';
import { statement } from './statements.js';

/** Written before the network call. Returns the post id. */
export function insertPendingPost(db: Db, p: { platform: string; source: string; text: string; createdAt: number; idempotencyKey: string }): number {
  return Number(
    statement(db, "INSERT INTO posts (platform, source, text, created_at, state, idempotency_key, attempts) VALUES (?, ?, ?, ?, 'pending', ?, 1)").run(
      p.platform,
      p.source,
      p.text,
      p.createdAt,
      p.idempotencyKey,
    ).lastInsertRowid,
  );
}

export function markPostSent(db: Db, id: number, sent: { externalId: string; url: string | null; sentAt: number }): void {
  statement(db, "UPDATE posts SET state = 'sent', external_id = ?, url = ?, sent_at = ? WHERE id = ?").run(sent.externalId, sent.url, sent.sentAt, id);
}

export function markPostUnsent(db: Db, id: number, state: 'failed' | 'unknown', error: string): void {
  statement(db, 'UPDATE posts SET state = ?, error = ? WHERE id = ?').run(state, error, id);
}

/** Posts of a platform whose outcome is unknown, with the same text: posting again might double it. */
export function countUnknownPostsLike(db: Db, platform: string, text: string): number {
  return (statement(db, "SELECT count(*) AS n FROM posts WHERE platform = ? AND text = ? AND state IN ('pending', 'unknown')").get(platform, text) as { n: number }).n;
}
