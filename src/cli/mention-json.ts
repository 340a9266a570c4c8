import type { Mention } from '../store/mentions.js';
import { formatInstant } from '../time/zone.js';
import { priorityLevel } from '../triage/levels.js';

/** The stable JSON shape of a mention in `list --json` and `show --json`. */
export function mentionJson(m: Mention, timeZone: string) {
  return {
    id: m.id,
    platform: m.platform,
    source: m.source,
    externalId: m.externalId,
    url: m.url,
    author: { handle: m.authorHandle, name: m.authorName, id: m.authorId, followers: m.authorFollowers },
    text: m.text,
    lang: m.lang,
    createdAt: formatInstant(m.createdAt, timeZone),
    fetchedAt: formatInstant(m.fetchedAt, timeZone),
    keywords: m.keywords,
    inReplyTo: m.inReplyTo,
    conversationId: m.conversationId,
    metrics: { likes: m.likes, reposts: m.reposts, replies: m.replies, quotes: m.quotes },
    sentiment: m.sentiment,
    category: m.category,
    /** The classifier's guess was below its confidence floor or in an untrained language: the person should decide. */
    categoryUnsure: !m.categoryManual && m.categoryUnsure,
    categoryConfidence: m.categoryConfidence,
    priority: m.priority,
    priorityLevel: priorityLevel(m.priority),
    status: m.status,
    statusChangedAt: formatInstant(m.statusChangedAt, timeZone),
    firstResponseAt: m.firstResponseAt === null ? null : formatInstant(m.firstResponseAt, timeZone),
    /** `dm` for a direct message; the item's answers go by DM once `privateAt` is set. */
    channel: m.channel,
    dmConversationId: m.dmConversationId,
    privateAt: m.privateAt === null ? null : formatInstant(m.privateAt, timeZone),
    assignedTo: m.assignedTo,
  };
}
