/**
 * The changes a person (or a poll) makes to a mention's status and category. Each writes the
 * append-only audit event; a status change also stamps `status_changed_at`, which the SLA clock of a
 * re-opened item (src/triage/assess.ts waitingSince) and the thread rules read.
 */
import type { Db } from './open.js';
import { appendEvent } from './events.js';
import type { Category, Status } from './mentions.js';

/** The one way a mention's status changes: status, `status_changed_at` and the event together. False when unchanged or absent. */
export async function changeStatus(db: Db, id: number, status: Status, actor: string, at: number): Promise<boolean> {
  const row = await db.get<{ status: Status }>('SELECT status FROM mentions WHERE id = ?', [id]);
  if (!row || row.status === status) return false;
  // Status and its time are priority inputs (open or not, waiting since): the priority is due again (migration 015).
  await db.run('UPDATE mentions SET status = ?, status_changed_at = ?, priority_due_at = 0 WHERE id = ?', [status, at, id]);
  // The private figures (migration 013): when the item went private first, and when it was last resolved.
  if (status === 'private') await db.run('UPDATE mentions SET private_at = coalesce(private_at, ?) WHERE id = ?', [at, id]);
  else if (status === 'resolved') await db.run('UPDATE mentions SET resolved_at = ? WHERE id = ?', [at, id]);
  else if (row.status === 'resolved') await db.run('UPDATE mentions SET resolved_at = NULL WHERE id = ?', [id]);
  await appendEvent(db, { mentionId: id, at, kind: 'status', oldValue: row.status, newValue: status, actor });
  return true;
}

/** The person's category, kept for good: `category_manual` stops any later recomputation. False when nothing new was recorded. */
export async function setManualCategory(db: Db, id: number, category: Category, actor: string, at: number): Promise<boolean> {
  const row = await db.get<{ category: Category | null; category_manual: number }>('SELECT category, category_manual FROM mentions WHERE id = ?', [id]);
  if (!row) return false;
  await db.run('UPDATE mentions SET category = ?, category_manual = 1, priority_due_at = 0 WHERE id = ?', [category, id]);
  if (row.category === category && row.category_manual === 1) return false;
  await appendEvent(db, { mentionId: id, at, kind: 'category', oldValue: row.category, newValue: category, actor });
  return true;
}

/** Puts back a category and whether it was set by hand (triage's undo), with its event. */
export async function restoreCategory(db: Db, id: number, category: Category | null, manual: boolean, actor: string, at: number): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await tx.get<{ category: Category | null }>('SELECT category FROM mentions WHERE id = ?', [id]);
    await tx.run('UPDATE mentions SET category = ?, category_manual = ?, priority_due_at = 0 WHERE id = ?', [category, manual ? 1 : 0, id]);
    await appendEvent(tx, { mentionId: id, at, kind: 'category', oldValue: row?.category ?? null, newValue: category, actor });
  });
}
