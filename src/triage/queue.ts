import type { Db } from '../store/open.js';
import type { Mention, MentionSearch } from '../store/mentions.js';
import { countOpenItems, openItemsByPriority } from '../store/queue.js';
import { threadMentions } from '../store/threads.js';
import { responsesFor, type Response } from '../store/responses.js';

/** The most urgent open item not skipped in this session; the queue lives in the database, so a new session resumes it. */
export async function nextItem(db: Db, options: { search?: MentionSearch; skipped: ReadonlySet<number> }): Promise<Mention | null> {
  for (const item of await openItemsByPriority(db, { ...options.search, limit: options.skipped.size + 1 })) if (!options.skipped.has(item.id)) return item;
  return null;
}

/** Open items matching the search (all open items without one). */
export async function openCount(db: Db, search: MentionSearch = {}): Promise<number> {
  return await countOpenItems(db, search);
}

export type ThreadEntry = { kind: 'mention'; at: number; mention: Mention } | { kind: 'response'; at: number; response: Response };

/** The item's whole conversation in time order: the customer's posts and our replies. */
export async function threadOf(db: Db, item: Mention): Promise<ThreadEntry[]> {
  const entries: ThreadEntry[] = [];
  for (const m of await threadMentions(db, item.threadId ?? item.id)) {
    entries.push({ kind: 'mention', at: m.createdAt, mention: m });
    for (const r of await responsesFor(db, m.id)) entries.push({ kind: 'response', at: r.sentAt ?? r.createdAt, response: r });
  }
  return entries.sort((a, b) => a.at - b.at);
}
