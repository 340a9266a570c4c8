/** Reply drafts (migration 010): one per mention, kept until the reply is sent or the person discards it. */
import type { Db } from './open.js';

export interface Draft {
  mentionId: number;
  text: string;
  updatedAt: number;
}

export async function draftFor(db: Db, mentionId: number): Promise<Draft | null> {
  const row = await db.get<{ mention_id: number; text: string; updated_at: number }>('SELECT mention_id, text, updated_at FROM drafts WHERE mention_id = ?', [mentionId]);
  return row ? { mentionId: row.mention_id, text: row.text, updatedAt: row.updated_at } : null;
}

/** Keep the text as the mention's draft (an empty text discards it). */
export async function saveDraft(db: Db, mentionId: number, text: string, at: number): Promise<void> {
  if (text.trim() === '') return discardDraft(db, mentionId);
  await db.run(
    'INSERT INTO drafts (mention_id, text, updated_at) VALUES (?, ?, ?) ON CONFLICT (mention_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at',
    [mentionId, text, at],
  );
}

export async function discardDraft(db: Db, mentionId: number): Promise<void> {
  await db.run('DELETE FROM drafts WHERE mention_id = ?', [mentionId]);
}
