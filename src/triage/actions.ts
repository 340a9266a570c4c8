import type { Db } from '../store/open.js';
import { statement } from '../store/statements.js';
import { appendEvent } from '../store/events.js';
import type { Category, Status } from '../store/mentions.js';

/**
 * Changes a person makes to an item. Each one is written to the append-only `events` table with
 * who made it; a thread's waiting follow-ups take the item's new status with it.
 */
export function setStatus(db: Db, id: number, status: Status, actor: string, at: number): boolean {
  return db.transaction(() => {
    const changed = setOne(db, id, status, actor, at);
    const members = statement<[number], { id: number }>(db, "SELECT id FROM mentions WHERE thread_id = ? AND status IN ('new', 'open')").all(id);
    for (const member of members) setOne(db, member.id, status, actor, at);
    return changed;
  })();
}

function setOne(db: Db, id: number, status: Status, actor: string, at: number): boolean {
  const row = statement<[number], { status: Status }>(db, 'SELECT status FROM mentions WHERE id = ?').get(id);
  if (!row || row.status === status) return false;
  statement(db, 'UPDATE mentions SET status = ?, status_changed_at = ? WHERE id = ?').run(status, at, id);
  appendEvent(db, { mentionId: id, at, kind: 'status', oldValue: row.status, newValue: status, actor });
  return true;
}

/** The person's category is kept for good: `category_manual` stops any later recomputation. */
export function setCategory(db: Db, id: number, category: Category, actor: string, at: number): boolean {
  return db.transaction(() => {
    const row = statement<[number], { category: Category | null; category_manual: number }>(db, 'SELECT category, category_manual FROM mentions WHERE id = ?').get(id);
    if (!row) return false;
    statement(db, 'UPDATE mentions SET category = ?, category_manual = 1 WHERE id = ?').run(category, id);
    if (row.category === category && row.category_manual === 1) return false;
    appendEvent(db, { mentionId: id, at, kind: 'category', oldValue: row.category, newValue: category, actor });
    return true;
  })();
}

export function addNote(db: Db, id: number, note: string, actor: string, at: number): void {
  appendEvent(db, { mentionId: id, at, kind: 'note', oldValue: null, newValue: note, actor });
}

/** Who is acting, for the audit trail: the login name, else "person". */
export function actorName(env: NodeJS.ProcessEnv): string {
  return env.BRANDWATCH_ACTOR || env.USER || env.LOGNAME || 'person';
}
