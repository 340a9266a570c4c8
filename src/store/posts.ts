/** Proactive posts (e.g. an outage notice), which answer no mention: pending → sent | failed | unknown. */
import type { Db } from './open.js';

/** Written before the network call. Returns the post id. */
export async function insertPendingPost(db: Db, p: { platform: string; source: string; text: string; createdAt: number; idempotencyKey: string }): Promise<number> {
  const row = await db.get<{ id: number }>(
    "INSERT INTO posts (platform, source, text, created_at, state, idempotency_key, attempts) VALUES (?, ?, ?, ?, 'pending', ?, 1) RETURNING id",
    [p.platform, p.source, p.text, p.createdAt, p.idempotencyKey],
  );
  return Number(row!.id);
}

export async function markPostSent(db: Db, id: number, sent: { externalId: string; url: string | null; sentAt: number }): Promise<void> {
  await db.run("UPDATE posts SET state = 'sent', external_id = ?, url = ?, sent_at = ? WHERE id = ?", [sent.externalId, sent.url, sent.sentAt, id]);
}

export async function markPostUnsent(db: Db, id: number, state: 'failed' | 'unknown', error: string): Promise<void> {
  await db.run('UPDATE posts SET state = ?, error = ? WHERE id = ?', [state, error, id]);
}

/** Posts of a platform whose outcome is unknown, with the same text: posting again might double it. */
export async function countUnknownPostsLike(db: Db, platform: string, text: string): Promise<number> {
  return (await db.get<{ n: number }>("SELECT count(*) AS n FROM posts WHERE platform = ? AND text = ? AND state IN ('pending', 'unknown')", [platform, text]))!.n;
}
