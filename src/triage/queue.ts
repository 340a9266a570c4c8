import type { Db } from '../store/open.js';
import type { Mention } from '../store/mentions.js';
import { countOpenItems, openItemsByPriority } from '../store/queue.js';
import { threadMentions } from '../store/threads.js';
import { responsesFor, type Response } from '../store/responses.js';

/** The most urgent open item not skipped in this session; the queue lives in the database, so a new session resumes it. */
export function nextItem(db: Db, options: { platform?: string; skipped: ReadonlySet<number> }): Mention | null {
  for (const item of openItemsByPriority(db, { platform: options.platform, limit: 200 })) if (!options.skipped.has(item.id)) return item;
  return null;
}

export function openCount(db: Db, platform?: string): number {
  return countOpenItems(db, platform);
}

export type ThreadEntry = { kind: 'mention'; at: number; mention: Mention } | { kind: 'response'; at: number; response: Response };

/** The item's whole conversation in time order: the customer's posts and our replies. */
export function threadOf(db: Db, item: Mention): ThreadEntry[] {
  const entries: ThreadEntry[] = [];
  for (const m of threadMentions(db, item.threadId ?? item.id)) {
    entries.push({ kind: 'mention', at: m.createdAt, mention: m });
    for (const r of responsesFor(db, m.id)) entries.push({ kind: 'response', at: r.sentAt ?? r.createdAt, response: r });
  }
  return entries.sort((a, b) => a.at - b.at);
}
