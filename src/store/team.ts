/**
 * Working as a team: who an item is assigned to, and who has it open in triage right now (a claim). A claim
 * is one row per item; taking it is one conditional upsert, so of two sessions racing for an item the
 * database lets exactly one win, on either engine. A claim lapses after `CLAIM_IDLE` without activity.
 */
import type { Db } from './open.js';
import { appendEvent } from './events.js';

/** How long a claim holds without activity (a keystroke in triage) before another person may take the item. */
export const CLAIM_IDLE = 5 * 60_000;

export type Claim = { ok: true } | { ok: false; holder: string; activeAt: number };

/**
 * Claim an item for `person` at `now`: granted when nobody holds it, when `person` holds it already (the
 * claim is refreshed), or when the holder has been idle for `CLAIM_IDLE`. Otherwise who has it.
 */
export async function claimItem(db: Db, mentionId: number, person: string, now: number): Promise<Claim> {
  const won = await db.get<{ person: string }>(
    `INSERT INTO claims (mention_id, person, claimed_at, active_at) VALUES (@mentionId, @person, @now, @now)
     ON CONFLICT (mention_id) DO UPDATE SET
       claimed_at = CASE WHEN claims.person = excluded.person THEN claims.claimed_at ELSE excluded.claimed_at END,
       person = excluded.person,
       active_at = excluded.active_at
     WHERE claims.person = excluded.person OR claims.active_at <= @lapsedAt
     RETURNING person`,
    { mentionId, person, now, lapsedAt: now - CLAIM_IDLE },
  );
  if (won) return { ok: true };
  const holder = await db.get<{ person: string; active_at: number }>('SELECT person, active_at FROM claims WHERE mention_id = ?', [mentionId]);
  // Released between the two statements: try once more.
  if (!holder) return claimItem(db, mentionId, person, now);
  return { ok: false, holder: holder.person, activeAt: holder.active_at };
}

/** Activity on a claimed item keeps the claim; false when it lapsed and someone else took the item meanwhile. */
export async function touchClaim(db: Db, mentionId: number, person: string, now: number): Promise<boolean> {
  return (await db.run('UPDATE claims SET active_at = ? WHERE mention_id = ? AND person = ?', [now, mentionId, person])).changes === 1;
}

/** Let go of an item (moving on, quitting): only one's own claim. */
export async function releaseClaim(db: Db, mentionId: number, person: string): Promise<void> {
  await db.run('DELETE FROM claims WHERE mention_id = ? AND person = ?', [mentionId, person]);
}

/** Who holds a live claim on the item at `now`, if anyone. */
export async function claimHolder(db: Db, mentionId: number, now: number): Promise<{ person: string; activeAt: number } | null> {
  const row = await db.get<{ person: string; active_at: number }>('SELECT person, active_at FROM claims WHERE mention_id = ? AND active_at > ?', [
    mentionId,
    now - CLAIM_IDLE,
  ]);
  return row ? { person: row.person, activeAt: row.active_at } : null;
}

/** Give an item to a person (null: to nobody), with its audit event. False when it was already so (or there is no such mention). */
export async function assignItem(db: Db, mentionId: number, person: string | null, actor: string, at: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const row = await tx.get<{ assigned_to: string | null }>('SELECT assigned_to FROM mentions WHERE id = ?', [mentionId]);
    if (!row || row.assigned_to === person) return false;
    await tx.run('UPDATE mentions SET assigned_to = ? WHERE id = ?', [person, mentionId]);
    await appendEvent(tx, { mentionId, at, kind: 'assign', oldValue: row.assigned_to, newValue: person, actor });
    return true;
  });
}
