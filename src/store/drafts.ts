/** Reply drafts (migration 010): one per mention, kept until the reply is sent or the person discards it. */
import type { Db } from './open.js';
import { statement } from './statements.js';

export interface Draft {
  mentionId: number;
  text: string;
  updatedAt: number;
}

export function draftFor(db: Db, mentionId: number): Draft | null {
  const row = statement<[number], { mention_id: number; text: string; updated_at: number }>(
    db,
    'SELECT mention_id, text, updated_at FROM drafts WHERE mention_id = ?',
  ).get(mentionId);
  return row ? { mentionId: row.mention_id, text: row.text, updatedAt: row.updated_at } : null;
}

/** Keep the text as the mention's draft (an empty text discards it). */
export function saveDraft(db: Db, mentionId: number, text: string, at: number): void {
  if (text.trim() === '') return discardDraft(db, mentionId);
  statement(db, 'INSERT INTO drafts (mention_id, text, updated_at) VALUES (?, ?, ?) ON CONFLICT (mention_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at').run(
    mentionId,
    text,
    at,
  );
}

export function discardDraft(db: Db, mentionId: number): void {
  statement(db, 'DELETE FROM drafts WHERE mention_id = ?').run(mentionId);
}
