/**
 * The mentions export's read: the stored facts of every mention created in a period, oldest first, streamed
 * from the cursor. The durations are left to src/metrics' TypeScript definitions (the CSV writer computes
 * them per row), so the engine only steps the index and converts the columns the export prints.
 */
import type { Db } from './open.js';
import type { Category, Status } from './mentions.js';
import { indexedBy } from './dialect.js';

/** One mention as the export reads it. */
export type ExportMentionFacts = [
  id: number,
  platform: string,
  url: string | null,
  author: string,
  followers: number | null,
  createdAt: number,
  fetchedAt: number,
  firstResponseAt: number | null,
  status: Status,
  category: Category | null,
  sentiment: number | null,
  keyword: string | null,
  text: string,
  channel: 'public' | 'dm',
  privateAt: number | null,
  firstPrivateResponseAt: number | null,
  resolvedAt: number | null,
];

/** Every mention created in [from, until) (follow-ups too), oldest first, a batch of rows at a time. */
export function exportMentionFacts(db: Db, q: { from: number; until: number }): AsyncIterable<ExportMentionFacts[]> {
  return db.batches<ExportMentionFacts>(
    `SELECT m.id, m.platform, m.url, m.author_handle, m.author_followers, m.created_at, m.fetched_at, m.first_response_at,
         m.status, m.category, m.sentiment, m.keyword, m.text, m.channel, m.private_at, m.first_private_response_at, m.resolved_at
       FROM mentions m${indexedBy(db.kind, 'mentions_report')}
       WHERE m.created_at >= @from AND m.created_at < @until
       ORDER BY m.created_at`,
    { from: q.from, until: q.until },
  );
}
