import type { Db } from './open.js';

const MENTION_ID = 'SELECT id FROM mentions WHERE platform = ? AND external_id = ?';

/** The row id of each of these posts if it is stored already, else null, in the order given. */
export async function storedMentionIds(db: Db, posts: readonly { platform: string; externalId: string }[]): Promise<(number | null)[]> {
  const ids: (number | null)[] = [];
  for (const post of posts) ids.push((await db.get<{ id: number }>(MENTION_ID, [post.platform, post.externalId]))?.id ?? null);
  return ids;
}
