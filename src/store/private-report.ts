/**
 * The report's private-channel queries over a period's items (thread roots created in it), with the
 * definitions of src/metrics/private.ts spliced in as SQL.
 */
import type { Db } from './open.js';
import type { PeriodQuery } from './report.js';
import { indexedBy } from './dialect.js';
import { touchedPrivatelySql } from '../metrics/private.js';

/** Per platform: items needing a response, those answered in public and in private, those that went private. */
export type PrivateCountRow = [platform: string, needing: number, answeredPublicly: number, answeredPrivately: number, wentPrivate: number];

/** Each item of the period that went private: its time to the first private answer and to resolution (null while pending). */
export type PrivateTimeRow = [platform: string, firstPrivateAnswer: number | null, resolution: number | null];

/** A platform's items of the period that need a response, and those answered (in public or in private). */
export interface PlatformAnswered {
  platform: string;
  needing: number;
  responded: number;
}

/**
 * Both from the items with anything private about them alone, read through their own partial index
 * (migration 018), beside each platform's needing and answered counts, which the report has from its own pass
 * over the period (`answered`): any other item is answered in public exactly when it was answered, and adds
 * nothing else.
 */
export async function privatePeriod(
  db: Db,
  q: Pick<PeriodQuery, 'from' | 'until' | 'sql'>,
  answered: readonly PlatformAnswered[],
): Promise<{ counts: PrivateCountRow[]; times: PrivateTimeRow[] }> {
  const { sql } = q;
  const flag = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;
  const rows = await db.rows<[platform: string, responded: number, publicly: number, privately: number, went: number, answer: number | null, resolution: number | null]>(
    `SELECT m.platform, ${flag(sql.responded)}, ${flag(`${sql.needs} AND ${sql.answeredPublicly}`)}, ${flag(`${sql.needs} AND ${sql.answeredPrivately}`)},
         ${flag(sql.wentPrivate)}, CASE WHEN ${sql.wentPrivate} THEN ${sql.firstPrivateAnswer} END, CASE WHEN ${sql.wentPrivate} THEN ${sql.resolution} END
       FROM mentions m${indexedBy(db.kind, 'mentions_private_items')}
       WHERE m.created_at >= @from AND m.created_at < @until AND ${touchedPrivatelySql('m.')}
       ORDER BY m.platform, m.created_at, m.id`,
    { ...sql.params, from: q.from, until: q.until },
  );
  const byPlatform = new Map<string, PrivateCountRow>();
  for (const a of answered) byPlatform.set(a.platform, [a.platform, a.needing, a.responded, 0, 0]);
  const times: PrivateTimeRow[] = [];
  for (const [platform, responded, publicly, privately, went, answer, resolution] of rows) {
    const counts = byPlatform.get(platform);
    if (counts === undefined) throw new Error(`private figures: no answered counts for ${platform}`);
    // This item's answer counted as public in the platform's total; it counts as its own figures say.
    counts[2] += publicly - responded;
    counts[3] += privately;
    counts[4] += went;
    if (went === 1) times.push([platform, answer, resolution]);
  }
  const counts = [...byPlatform.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { counts, times };
}
