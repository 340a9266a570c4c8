/**
 * The report's private-channel queries over a period's items (thread roots created in it), with the
 * definitions of src/metrics/private.ts spliced in as SQL.
 */
import type { Db } from './open.js';
import type { PeriodQuery } from './report.js';

/** Per platform: items needing a response, those answered in public and in private, those that went private. */
export type PrivateCountRow = [platform: string, needing: number, answeredPublicly: number, answeredPrivately: number, wentPrivate: number];

/** Each item of the period that went private: its time to the first private answer and to resolution (null while pending). */
export type PrivateTimeRow = [platform: string, firstPrivateAnswer: number | null, resolution: number | null];

/**
 * Both in one pass over the period's items: the private columns are not in the report index, so each item
 * costs a table lookup, made once into a materialised table that the counts and the times then read.
 */
export async function privatePeriod(db: Db, q: Pick<PeriodQuery, 'from' | 'until' | 'sql'>): Promise<{ counts: PrivateCountRow[]; times: PrivateTimeRow[] }> {
  const { sql } = q;
  const flag = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;
  const rows = await db.rows<[kind: number, platform: string, a: number | null, b: number | null, c: number | null, d: number | null]>(
    `WITH items AS MATERIALIZED (
       SELECT m.platform, m.created_at, ${flag(sql.needs)} AS needs, ${flag(`${sql.needs} AND ${sql.answeredPublicly}`)} AS publicly,
         ${flag(`${sql.needs} AND ${sql.answeredPrivately}`)} AS privately, ${flag(sql.wentPrivate)} AS went,
         CASE WHEN ${sql.wentPrivate} THEN ${sql.firstPrivateAnswer} END AS answer, CASE WHEN ${sql.wentPrivate} THEN ${sql.resolution} END AS resolution
       FROM mentions m
       WHERE m.created_at >= @from AND m.created_at < @until AND m.thread_id IS NULL
     )
     SELECT 0 AS kind, platform, sum(needs), sum(publicly), sum(privately), sum(went), NULL AS at FROM items GROUP BY platform
     UNION ALL
     SELECT 1, platform, answer, resolution, NULL, NULL, created_at FROM items WHERE went = 1
     ORDER BY 1, 2, 7`,
    { ...sql.params, from: q.from, until: q.until },
  );
  const counts: PrivateCountRow[] = [];
  const times: PrivateTimeRow[] = [];
  for (const [kind, platform, a, b, c, d] of rows) {
    if (kind === 0) counts.push([platform, a!, b!, c!, d!]);
    else times.push([platform, a, b]);
  }
  return { counts, times };
}

export async function privateCounts(db: Db, q: Pick<PeriodQuery, 'from' | 'until' | 'sql'>): Promise<PrivateCountRow[]> {
  return (await privatePeriod(db, q)).counts;
}

export async function privateTimes(db: Db, q: Pick<PeriodQuery, 'from' | 'until' | 'sql'>): Promise<PrivateTimeRow[]> {
  return (await privatePeriod(db, q)).times;
}
