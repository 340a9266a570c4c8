/**
 * The report's private-channel queries over a period's items (thread roots created in it), with the
 * definitions of src/metrics/private.ts spliced in as SQL.
 */
import type { Db } from './open.js';
import type { PeriodQuery } from './report.js';
import { countWhere } from './dialect.js';

/** Per platform: items needing a response, those answered in public and in private, those that went private. */
export type PrivateCountRow = [platform: string, needing: number, answeredPublicly: number, answeredPrivately: number, wentPrivate: number];

export async function privateCounts(db: Db, q: Pick<PeriodQuery, 'from' | 'until' | 'sql'>): Promise<PrivateCountRow[]> {
  const { sql } = q;
  return db.rows<PrivateCountRow>(
    `SELECT m.platform, ${countWhere(sql.needs)}, ${countWhere(`${sql.needs} AND ${sql.answeredPublicly}`)}, ${countWhere(`${sql.needs} AND ${sql.answeredPrivately}`)},
       ${countWhere(sql.wentPrivate)}
     FROM mentions m
     WHERE m.created_at >= @from AND m.created_at < @until AND m.thread_id IS NULL
     GROUP BY m.platform ORDER BY m.platform`,
    { ...sql.params, from: q.from, until: q.until },
  );
}

/** Each item of the period that went private: its time to the first private answer and to resolution (null while pending). */
export type PrivateTimeRow = [platform: string, firstPrivateAnswer: number | null, resolution: number | null];

export async function privateTimes(db: Db, q: Pick<PeriodQuery, 'from' | 'until' | 'sql'>): Promise<PrivateTimeRow[]> {
  const { sql } = q;
  return db.rows<PrivateTimeRow>(
    `SELECT m.platform, ${sql.firstPrivateAnswer}, ${sql.resolution}
     FROM mentions m
     WHERE m.created_at >= @from AND m.created_at < @until AND m.thread_id IS NULL AND ${sql.wentPrivate}
     ORDER BY m.created_at`,
    { ...sql.params, from: q.from, until: q.until },
  );
}
