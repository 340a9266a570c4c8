/**
 * The CSV export: rows stream from the database cursor through csv-stringify in small batches, so
 * memory stays flat however many mentions the period holds. Text cells a spreadsheet would run as a
 * formula are neutralised.
 */
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../store/open.js';
import type { Config } from '../config/schema.js';
import type { ResponseClock } from '../time/business.js';
import type { Period } from '../time/week.js';
import { localCalendar } from '../time/zone.js';
import { slaTarget, slaDeadline, slaState } from '../metrics/sla.js';
import { exportMentionRows, withSmallPageCache } from '../store/report.js';
import { aggregatePeriod } from './aggregate.js';
import { aggregateSpec, toFigures } from './build.js';
import { minutes } from './figures.js';

const FORMULA_LEAD = /^[=+\-@\t\r]/;

/**
 * A cell that starts like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading apostrophe, which
 * spreadsheets show as text and never evaluate (OWASP "CSV injection").
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_LEAD.test(text) ? `'${text}` : text;
}

export const MENTION_COLUMNS = [
  'id',
  'platform',
  'url',
  'author',
  'followers',
  'created_at',
  'first_response_at',
  'frt_minutes',
  'detection_lag_minutes',
  'status',
  'category',
  'sentiment',
  'keyword',
  'sla',
  'text',
  'channel',
  'private_at',
  'first_private_response_at',
  'first_private_answer_minutes',
  'resolved_at',
  'resolution_minutes',
] as const;

export const SUMMARY_COLUMNS = [
  'day',
  'platform',
  'mentions',
  'needing_response',
  'responded',
  'handled_privately',
  'response_rate',
  'frt_p50_minutes',
  'frt_p90_minutes',
  'frt_mean_minutes',
  'detection_lag_mean_minutes',
  'handling_mean_minutes',
  'sla_met',
  'sla_breached',
  'sla_met_share',
  'within_30m_share',
  'within_2h_share',
  'same_day_share',
  'within_24h_share',
  'clock',
] as const;

export interface ExportInput {
  db: Db;
  config: Config;
  period: Period;
  clock: ResponseClock;
  now: number;
  /** A UTF-8 byte-order mark first, for Excel. */
  bom: boolean;
  /** Direct messages' text too (`--include-private`); left out by default. */
  includePrivate?: boolean;
}

export type Cell = string | number | null;

/** Writes text chunks with backpressure. */
export type ChunkWriter = (chunk: string) => Promise<void>;

// Small batches: rows die young, so the heap (and RSS) stays flat however long the export.
const BATCH = 500;

/**
 * Rows as CSV text with CRLF record ends. csv-stringify quotes a field only when it holds the record
 * delimiter itself (`\r\n`), so a bare LF or CR in a post would end the row early (and a line after it
 * such as `=1+1` would become a cell of its own): every field holding either is quoted.
 */
export function csvRecords(rows: readonly Cell[][], bom = false): string {
  return stringify(rows as Cell[][], { bom, record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

async function writeRows(write: ChunkWriter, header: readonly string[], rows: Iterable<Cell[]> | AsyncIterable<Cell[]>, bom: boolean): Promise<number> {
  let batch: Cell[][] = [];
  let count = 0;
  let first = true;
  const flush = async () => {
    const text = csvRecords(first ? [header as unknown as Cell[], ...batch] : batch, first && bom);
    first = false;
    batch = [];
    await write(text);
  };
  for await (const row of rows) {
    batch.push(row);
    count++;
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0 || first) await flush();
  return count;
}

/** One row per mention created in the period, oldest first. Returns the number of rows. */
export async function exportMentions(input: ExportInput, write: ChunkWriter): Promise<number> {
  const { db, config, period, clock, now } = input;
  const spec = aggregateSpec(db, config, period, clock, now);
  const zone = localCalendar(period.timeZone);
  const targets = new Map<string, number>();
  const text = (value: unknown) => (value === null || value === undefined ? null : neutralizeFormula(String(value)));
  async function* rows(): AsyncGenerator<Cell[]> {
    const at = (t: number | null) => (t === null ? null : zone.format(t));
    for await (const row of exportMentionRows(db, spec)) {
      const [id, platform, url, author, followers, createdAt, fetchedAt, firstResponseAt, frt, lag, status, category, sentiment, keyword, body] = row;
      const [, , , , , , , , , , , , , , , channel, privateAt, firstPrivateResponseAt, firstPrivateAnswer, resolvedAt, resolution] = row;
      let target = targets.get(`${channel}:${platform}`);
      if (target === undefined) {
        target = slaTarget(config, platform, channel);
        targets.set(`${channel}:${platform}`, target);
      }
      const sla = slaState({ platform, status, category, createdAt, fetchedAt, firstResponseAt }, slaDeadline(createdAt, target, clock), now);
      yield [
        id,
        text(platform),
        text(url),
        text(author),
        followers,
        zone.format(createdAt),
        firstResponseAt === null ? null : zone.format(firstResponseAt),
        minutes(frt),
        minutes(lag),
        text(status),
        text(category),
        sentiment,
        text(keyword),
        sla,
        // A direct message's text stays out of the export unless asked for (--include-private).
        channel === 'dm' && !input.includePrivate ? null : text(body),
        channel,
        at(privateAt),
        at(firstPrivateResponseAt),
        minutes(firstPrivateAnswer),
        at(resolvedAt),
        minutes(resolution),
      ];
    }
  }
  // A small page cache keeps the export's memory flat.
  return await withSmallPageCache(db, () => writeRows(write, MENTION_COLUMNS, rows(), input.bom));
}

/** One row per platform per day of the period, with the report's figures. Returns the number of rows. */
export async function exportSummary(input: ExportInput, write: ChunkWriter): Promise<number> {
  const { db, config, period, clock, now } = input;
  const spec = aggregateSpec(db, config, period, clock, now);
  const groups = (await aggregatePeriod(db, spec, null)).dayPlatform;
  function* rows(): Generator<Cell[]> {
    for (const g of groups) {
      const f = toFigures(g);
      const [day, platform] = g.key.split('\t') as [string, string];
      yield [
        day,
        neutralizeFormula(platform),
        f.mentions,
        f.needingResponse,
        f.responded,
        f.handledPrivately,
        f.responseRate,
        f.frt.p50Minutes,
        f.frt.p90Minutes,
        f.frt.meanMinutes,
        f.detectionLag.meanMinutes,
        f.handling.meanMinutes,
        f.sla.met,
        f.sla.breached,
        f.sla.attainment,
        f.expectations.within30m,
        f.expectations.within2h,
        f.expectations.sameDay,
        f.expectations.within24h,
        clock.kind,
      ];
    }
  }
  return writeRows(write, SUMMARY_COLUMNS, rows(), input.bom);
}
