import type { NewMention } from '../../src/sources/types.js';

/** A public post as a source hands it to the store: its own author and conversation, `acme <id>` for text. */
export function newMention(id: number, createdAt: number, extra: Partial<NewMention> = {}): NewMention {
  return {
    platform: 'twitter',
    externalId: String(id),
    url: null,
    authorHandle: `u${id}`,
    authorName: null,
    authorId: String(id),
    authorFollowers: 100,
    text: `acme ${id}`,
    lang: 'en',
    createdAt,
    keywords: ['acme'],
    inReplyTo: null,
    conversationId: String(id),
    summonsBrand: false,
    metrics: { likes: 1, reposts: 0, replies: 0, quotes: 0 },
    ...extra,
  };
}
