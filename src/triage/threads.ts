import type { Db } from '../store/open.js';
import { changeStatus } from '../store/changes.js';
import { getMention } from '../store/mentions.js';
import { conversationRoot, joinThread, rootAnsweredBy, statusesOf, threadRef } from '../store/threads.js';
import { markAnsweredPrivately, markItemPrivate, privateItemOf } from '../store/direct-messages.js';
import { markAnswered } from '../store/responses.js';
import type { NewMention } from '../sources/types.js';

/** Statuses a customer's follow-up takes back to the queue. */
const REOPEN: readonly string[] = ['replied', 'private', 'resolved'];

/** A reply within a conversation, or to another post: a candidate follow-up. */
function isReply(m: NewMention): boolean {
  return (m.conversationId !== null && m.conversationId !== m.externalId) || m.inReplyTo !== null;
}

/**
 * DESIGN §4: a customer's follow-up (same conversation and author, or a reply to our reply) joins the
 * item instead of opening a new one, and re-opens an item that was answered. Follow-ups keep their
 * own row (with `thread_id` = the item's first mention) for reports; the queue shows the item.
 * Call inside the page's transaction, after the mentions are stored.
 */
export async function linkThreads(db: Db, mentions: readonly NewMention[], at: number): Promise<number> {
  let linked = 0;
  for (const m of mentions) {
    if (m.channel === 'dm') {
      if (await linkDirectMessage(db, m, at)) linked++;
      continue;
    }
    if (!isReply(m)) continue;
    const ref = await threadRef(db, m.platform, m.externalId);
    if (!ref || ref.threadId !== null) continue;
    const root = await rootFor(db, m, ref.id);
    if (root === null || root === ref.id) continue;
    await joinThread(db, ref.id, root);
    linked++;
    const statuses = await statusesOf(db, [root, ref.id]);
    const item = statuses.get(root);
    // Only what the customer wrote after the item was answered or closed, and is still waiting, takes it back to
    // the queue: a follow-up our reply (seen in the same poll) already answered does not.
    const waiting = statuses.get(ref.id)?.status;
    if (item && REOPEN.includes(item.status) && m.createdAt > item.statusChangedAt && (waiting === 'new' || waiting === 'open')) {
      await changeStatus(db, root, 'open', 'poll (follow-up)', at);
    }
  }
  return linked;
}

async function rootFor(db: Db, m: NewMention, ownId: number): Promise<number | null> {
  if (m.conversationId !== null) {
    const same = await conversationRoot(db, { platform: m.platform, conversationId: m.conversationId, authorId: m.authorId, authorHandle: m.authorHandle, before: ownId });
    if (same !== null) return same;
  }
  return m.inReplyTo !== null ? await rootAnsweredBy(db, m.platform, m.inReplyTo) : null;
}

/**
 * A DM from the author of an open or private item on the same platform joins that item's thread, marks
 * it private, and takes it back to the queue when it was waiting for the customer ("customer wrote
 * privately"); a DM from anyone else stays its own item (private from the start).
 */
async function linkDirectMessage(db: Db, m: NewMention, at: number): Promise<boolean> {
  const ref = await threadRef(db, m.platform, m.externalId);
  if (!ref || ref.threadId !== null) return false;
  const root = await privateItemOf(db, { platform: m.platform, authorId: m.authorId, authorHandle: m.authorHandle, except: ref.id, before: m.createdAt });
  if (root === null) return false;
  await joinThread(db, ref.id, root);
  await markItemPrivate(db, root, m.createdAt);
  // An answer of ours seen in the same page (sent from the app) answers the item too.
  const own = await getMention(db, ref.id);
  if (own?.firstResponseAt != null) await markAnswered(db, root, own.firstResponseAt, 'poll');
  if (own?.firstPrivateResponseAt != null) await markAnsweredPrivately(db, ref.id, own.firstPrivateResponseAt);
  const item = await getMention(db, root);
  const waiting = (await getMention(db, ref.id))?.status;
  if (item && REOPEN.includes(item.status) && m.createdAt > item.statusChangedAt && (waiting === 'new' || waiting === 'open')) {
    await changeStatus(db, root, 'open', 'poll (direct message)', at);
  }
  return true;
}
