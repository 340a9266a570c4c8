/**
 * Our reply already standing on a mention: what the interactive reply paths show and ask about before
 * a second one ("you replied 3 min ago: …"). The non-interactive rule (`reply --again`) builds on it.
 */
import type { Db } from '../store/open.js';
import type { Mention } from '../store/mentions.js';
import { responsesFor, type Response } from '../store/responses.js';

/** The newest sent reply (ours or made natively) to this very mention, if any. */
export async function sentReplyTo(db: Db, target: Pick<Mention, 'id'>): Promise<Response | null> {
  const sent = (await responsesFor(db, target.id)).filter((r) => r.state === 'sent');
  return sent.sort((a, b) => (b.sentAt ?? b.createdAt) - (a.sentAt ?? a.createdAt))[0] ?? null;
}
