import type { Db } from './open.js';

export type EventKind = 'status' | 'category' | 'note' | 'response' | 'assign';

export interface MentionEvent {
  id: number;
  mentionId: number;
  at: number;
  kind: EventKind;
  oldValue: string | null;
  newValue: string | null;
  actor: string;
}

/** Append one entry to the audit trail (the table refuses updates and deletes). */
export async function appendEvent(db: Db, event: Omit<MentionEvent, 'id'>): Promise<void> {
  await db.run('INSERT INTO events (mention_id, at, kind, old_value, new_value, actor) VALUES (?, ?, ?, ?, ?, ?)', [
    event.mentionId,
    event.at,
    event.kind,
    event.oldValue,
    event.newValue,
    event.actor,
  ]);
}

export async function eventsFor(db: Db, mentionId: number): Promise<MentionEvent[]> {
  const rows = await db.all<{ id: number; mention_id: number; at: number; kind: EventKind; old_value: string | null; new_value: string | null; actor: string }>(
    'SELECT * FROM events WHERE mention_id = ? ORDER BY at, id',
    [mentionId],
  );
  return rows.map((r) => ({ id: r.id, mentionId: r.mention_id, at: r.at, kind: r.kind, oldValue: r.old_value, newValue: r.new_value, actor: r.actor }));
}
