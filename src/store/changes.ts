/**
 * The changes a person (or a poll) makes to a mention's status and category. Each writes the
 * append-only audit event; a status change also stamps `status_changed_at`, which the SLA clock of a
 * re-opened item (src/triage/assess.ts waitingSince) and the thread rules read.
 */
import type { Db } from './open.js';
import { statement } from './statements.js';
import { appendEvent } from './events.js';
import type { Category, Status } from './mentions.js';

/** The one way a mention's status changes: status, `status_changed_at` and the event together. False when unchanged or absent. */
export function changeStatus(db: Db, id: number, status: Status, actor: string, at: number): boolean {
  const row = statement<[number], { status: Status }>(db, 'SELECT status FROM mentions WHERE id = ?').get(id);
  if (!row || row.status === status) return false;
  statement(db, 'UPDATE mentions SET status = ?, status_changed_at = ? WHERE id = ?').run(status, at, id);
  // The private figures (migration 013): when the item went private first, and when it was last resolved.
  if (status === 'private') statement(db, 'UPDATE mentions SET private_at = coalesce(private_at, ?) WHERE id = ?').run(at, id);
  else if (status === 'resolved') statement(db, 'UPDATE mentions SET resolved_at = ? WHERE id = ?').run(at, id);
  else if (row.status === 'resolved') statement(db, 'UPDATE mentions SET resolved_at = NULL WHERE id = ?').run(id);
  appendEvent(db, { mentionId: id, at, kind: 'status', oldValue: row.status, newValue: status, actor });
  return true;
}

/** The person's category, kept for good: `category_manual` stops any later recomputation. False when nothing new was recorded. */
export function setManualCategory(db: Db, id: number, category: Category, actor: string, at: number): boolean {
  const row = statement<[number], { category: Category | null; category_manual: number }>(db, 'SELECT category, category_manual FROM mentions WHERE id = ?').get(id);
  if (!row) return false;
  statement(db, 'UPDATE mentions SET category = ?, category_manual = 1 WHERE id = ?').run(category, id);
  if (row.category === category && row.category_manual === 1) return false;
  appendEvent(db, { mentionId: id, at, kind: 'category', oldValue: row.category, newValue: category, actor });
  return true;
}

/** Puts back a category and whether it was set by hand (triage's undo), with its event. */
export function restoreCategory(db: Db, id: number, category: Category | null, manual: boolean, actor: string, at: number): void {
  db.transaction(() => {
    const row = statement<[number], { category: Category | null }>(db, 'SELECT category FROM mentions WHERE id = ?').get(id);
    statement(db, 'UPDATE mentions SET category = ?, category_manual = ? WHERE id = ?').run(category, manual ? 1 : 0, id);
    appendEvent(db, { mentionId: id, at, kind: 'category', oldValue: row?.category ?? null, newValue: category, actor });
  })();
}
