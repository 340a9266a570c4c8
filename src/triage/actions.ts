import type { Db } from '../store/open.js';
import { appendEvent } from '../store/events.js';
import { changeStatus, setManualCategory } from '../store/changes.js';
import { openFollowUps } from '../store/threads.js';
import type { Category, Status } from '../store/mentions.js';

/**
 * Changes a person makes to an item. Each one is written to the append-only `events` table with
 * who made it; a thread's waiting follow-ups take the item's new status with it.
 */
export async function setStatus(db: Db, id: number, status: Status, actor: string, at: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const changed = await changeStatus(tx, id, status, actor, at);
    for (const member of await openFollowUps(tx, id)) await changeStatus(tx, member.id, status, actor, at);
    return changed;
  });
}

/** The person's category is kept for good: `category_manual` stops any later recomputation. */
export async function setCategory(db: Db, id: number, category: Category, actor: string, at: number): Promise<boolean> {
  return db.transaction((tx) => setManualCategory(tx, id, category, actor, at));
}

export async function addNote(db: Db, id: number, note: string, actor: string, at: number): Promise<void> {
  await appendEvent(db, { mentionId: id, at, kind: 'note', oldValue: null, newValue: note, actor });
}

