import { openStore } from '../../src/store/open.js';

const MIN = 60_000;

export interface SeedMention {
  platform: string;
  createdAt: string | number;
  /** Minutes after creation when polled (default 5). */
  fetchedAfter?: number;
  /** Minutes after creation of the first response. */
  respondedAfter?: number | null;
  status?: string;
  category?: string | null;
  text?: string;
  author?: string;
  url?: string | null;
  keyword?: string;
  sentiment?: number | null;
  threadOf?: number;
  /** The person the item is assigned to (team mode). */
  assignedTo?: string;
}

/** A database at `path` with the given mentions (ids in order from 1) and their first responses. */
export async function seedDatabase(
  path: string,
  mentions: readonly SeedMention[],
  responses: { mentionId: number; sentAt: string; actor?: string; via?: 'brandwatch' | 'native' }[] = [],
): Promise<number[]> {
  const store = await openStore(path);
  const db = store.db;
  const insert = `INSERT INTO mentions (platform, source, external_id, url, author_handle, author_followers, text, created_at, fetched_at,
      keyword, keywords, status, status_changed_at, first_response_at, category, sentiment, thread_id, assigned_to)
    VALUES (@platform, @platform, @externalId, @url, @author, 100, @text, @createdAt, @fetchedAt, @keyword, '[]', @status, @createdAt, @firstResponseAt, @category, @sentiment, @threadId, @assignedTo) RETURNING id`;
  const ids: number[] = [];
  await db.transaction(async (tx) => {
    for (const [i, m] of mentions.entries()) {
      const createdAt = typeof m.createdAt === 'number' ? m.createdAt : Date.parse(m.createdAt);
      const fra = m.respondedAfter === undefined || m.respondedAfter === null ? null : createdAt + m.respondedAfter * MIN;
      const row = await tx.get<{ id: number }>(insert, {
        platform: m.platform,
        externalId: String(1000 + i),
        url: m.url === undefined ? `https://x.com/user${i}/status/${1000 + i}` : m.url,
        author: m.author ?? `user${i}`,
        text: m.text ?? `mention ${i} of acme`,
        createdAt,
        fetchedAt: createdAt + (m.fetchedAfter ?? 5) * MIN,
        keyword: m.keyword ?? 'acme',
        status: m.status ?? (fra === null ? 'new' : 'replied'),
        firstResponseAt: fra,
        category: m.category === undefined ? 'question' : m.category,
        sentiment: m.sentiment === undefined ? null : m.sentiment,
        threadId: m.threadOf ?? null,
        assignedTo: m.assignedTo ?? null,
      });
      ids.push(Number(row!.id));
    }
    for (const r of responses) {
      await tx.run(
        `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state, actor)
        VALUES (?, 'twitter', ?, 'our reply', ?, ?, ?, 'sent', ?)`,
        [r.mentionId, `r${r.mentionId}-${r.sentAt}`, Date.parse(r.sentAt), Date.parse(r.sentAt), r.via ?? 'brandwatch', r.actor ?? null],
      );
    }
  });
  await store.close();
  return ids;
}

export function reportConfig(extra = ''): string {
  return [
    'brand: Acme',
    'timezone: UTC',
    'keywords: [acme]',
    'sources:',
    '  - platform: twitter',
    '    bearerTokenEnv: TWITTER_BEARER_TOKEN',
    '    monthlyReadBudget: 10000',
    'sla:',
    '  twitter: 30m',
    '  facebook: 2h',
    '  default: 24h',
    extra,
    '',
  ].join('\n');
}
