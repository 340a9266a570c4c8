/**
 * The CSV export: rows stream from the database cursor and leave as CSV text in chunks of a few
 * kilobytes, so memory stays flat however many mentions the period holds. Text cells a spreadsheet
 * would run as a formula are neutralised.
 */
import type { Db } from '../store/open.js';
import type { Config } from '../config/schema.js';
import type { ResponseClock } from '../time/business.js';
import type { Period } from '../time/week.js';
import { localCalendar, type LocalCalendar } from '../time/zone.js';
import { slaTarget, slaDeadline, slaState } from '../metrics/sla.js';
import { withSmallPageCache } from '../store/report.js';
import { exportMentionFacts } from '../store/export.js';
import { detectionLag, firstResponseTime, type MeasuredMention } from '../metrics/response.js';
import { timeToFirstPrivateAnswer, timeToResolution, type PrivateFacts } from '../metrics/private.js';
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

/**
 * Text is handed to the writer in chunks of about this many characters (one write each, some 30 rows): large
 * enough that writes cost little, small enough that a chunk's lines die young (128K-character chunks cost heap, not speed).
 */
const CHUNK = 1 << 13;

// A field is quoted when it holds the delimiter, the quote, or a line end of any kind.
const NEEDS_QUOTES = /[",\r\n]/;
const QUOTES = /"/g;

/**
 * One field as csv-stringify writes it with the export's options (see csvRecords; test/report/csv.test.ts holds the two
 * byte for byte equal on random text): null empty, numbers as JavaScript prints them, text as it is
 * unless it holds `,`, `"`, CR or LF, then quoted with its quotes doubled.
 */
export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return NEEDS_QUOTES.test(value) ? `"${value.replace(QUOTES, '""')}"` : value;
}

/** One record, CRLF-terminated. */
export function csvRecord(row: readonly Cell[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) line += i === 0 ? csvField(row[i]!) : `,${csvField(row[i]!)}`;
  return `${line}\r\n`;
}

/**
 * Rows as CSV text with CRLF record ends, as csv-stringify's
 * `stringify(rows, { bom, record_delimiter: 'windows', quoted_match: /[\r\n]/ })` writes them.
 * csv-stringify alone quotes a field only when it holds the record delimiter itself (`\r\n`), so a bare
 * LF or CR in a post would end the row early (and a line after it such as `=1+1` would become a cell
 * of its own): every field holding either is quoted.
 */
export function csvRecords(rows: readonly (readonly Cell[])[], bom = false): string {
  let text = bom ? '\ufeff' : '';
  for (const row of rows) text += csvRecord(row);
  return text;
}

/** CSV text gathered into chunks of about CHUNK characters, each handed to `write` as it fills. */
class Chunks {
  private text: string;

  constructor(private readonly write: ChunkWriter, head: string) {
    this.text = head;
  }

  /** Appends a record; true when the chunk is full and should be flushed (no promise per record). */
  add(record: string): boolean {
    this.text += record;
    return this.text.length >= CHUNK;
  }

  async flush(): Promise<void> {
    if (this.text.length === 0) return;
    const text = this.text;
    this.text = '';
    await this.write(text);
  }
}

async function writeRows(write: ChunkWriter, header: readonly string[], rows: Iterable<Cell[]> | AsyncIterable<Cell[]>, bom: boolean): Promise<number> {
  const out = new Chunks(write, csvRecords([header], bom));
  let count = 0;
  for await (const row of rows) {
    count++;
    if (out.add(csvRecord(row))) await out.flush();
  }
  await out.flush();
  return count;
}

const DAY = 86_400_000;
const HALF_DAY = 43_200_000;
const QUARTER_HOUR = 900_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => (n < 10 ? `0${n}` : String(n)));
// Outside 1900–9999 (local mean times with odd seconds, years toISOString prints with six digits) every
// instant goes through LocalCalendar.format itself.
const FIRST_INSTANT = Date.UTC(1900, 0, 2);
const LAST_INSTANT = Date.UTC(9999, 11, 30);

/**
 * LocalCalendar.format for many instants: the zone's offset is looked up once per UTC day and each local
 * date is written once, so a timestamp costs a few additions. A day whose offset differs at its start,
 * middle or last quarter hour holds a transition: its instants go through LocalCalendar.format itself.
 */
export function instantFormatter(zone: LocalCalendar): (at: number) => string {
  const dayOffsets = new Map<number, number | null>();
  const datePrefixes = new Map<number, string>();
  const offsetSuffixes = new Map<number, string>();
  const offsetOfDay = (day: number): number | null => {
    let offset = dayOffsets.get(day);
    if (offset === undefined) {
      const start = day * DAY;
      offset = zone.offset(start);
      if (zone.offset(start + HALF_DAY) !== offset || zone.offset(start + DAY - QUARTER_HOUR) !== offset) offset = null;
      dayOffsets.set(day, offset);
    }
    return offset;
  };
  return (at) => {
    const offset = at >= FIRST_INSTANT && at <= LAST_INSTANT ? offsetOfDay(Math.floor(at / DAY)) : null;
    if (offset === null) return zone.format(at);
    const local = at + offset;
    const localDay = Math.floor(local / DAY);
    let date = datePrefixes.get(localDay);
    if (date === undefined) datePrefixes.set(localDay, (date = new Date(localDay * DAY).toISOString().slice(0, 11)));
    let suffix = offsetSuffixes.get(offset);
    if (suffix === undefined) {
      // The same characters as LocalCalendar.format: the zone's offset from the end of a formatted instant.
      offsetSuffixes.set(offset, (suffix = zone.format(at).slice(19)));
    }
    const seconds = Math.floor((local - localDay * DAY) / 1000);
    return `${date}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}${suffix}`;
  };
}

/** A text cell of the export: neutralised, then as csvField writes it; null (and undefined) empty. */
function textField(value: unknown): string {
  return value === null || value === undefined ? '' : csvField(neutralizeFormula(String(value)));
}

/**
 * One row per mention created in the period, oldest first. Returns the number of rows. Each row is written
 * straight into the chunk (no cell array per row): the fields are those of csvRecord over the cells below.
 */
export async function exportMentions(input: ExportInput, write: ChunkWriter): Promise<number> {
  const { db, config, period, clock, now } = input;
  const spec = aggregateSpec(db, config, period, clock, now);
  const format = instantFormatter(localCalendar(period.timeZone));
  // Instants print as digits, `-`, `:`, `T` and `+` (see instantFormatter): never quoted, never a formula.
  const at = (t: number | null) => (t === null ? '' : format(t));
  // SLA targets by channel, then platform (no key string per row).
  const targets = { public: new Map<string, number>(), dm: new Map<string, number>() };
  const withText = input.includePrivate === true;
  // One object the definitions read, refilled per row: a million short-lived objects are work for the collector.
  const m: MeasuredMention & PrivateFacts = { platform: '', status: 'new', category: null, createdAt: 0, fetchedAt: 0, firstResponseAt: null, privateAt: null, firstPrivateResponseAt: null, resolvedAt: null };
  const scan = async (): Promise<number> => {
    const out = new Chunks(write, csvRecords([MENTION_COLUMNS], input.bom));
    let count = 0;
    for await (const batch of exportMentionFacts(db, spec)) {
      for (const row of batch) {
        const [id, platform, url, author, followers, createdAt, fetchedAt, firstResponseAt, status, category, sentiment, keyword, body] = row;
        const [, , , , , , , , , , , , , channel, privateAt, firstPrivateResponseAt, resolvedAt] = row;
        const byPlatform = targets[channel];
        let target = byPlatform.get(platform);
        if (target === undefined) {
          target = slaTarget(config, platform, channel);
          byPlatform.set(platform, target);
        }
        m.platform = platform;
        m.status = status;
        m.category = category;
        m.createdAt = createdAt;
        m.fetchedAt = fetchedAt;
        m.firstResponseAt = firstResponseAt;
        m.privateAt = privateAt;
        m.firstPrivateResponseAt = firstPrivateResponseAt;
        m.resolvedAt = resolvedAt;
        const sla = slaState(m, slaDeadline(createdAt, target, clock), now);
        const frt = firstResponseTime(m, clock);
        const lag = detectionLag(m, clock);
        const firstPrivateAnswer = timeToFirstPrivateAnswer(m, clock);
        const resolution = timeToResolution(m, clock);
        const record =
          `${csvField(id)},${textField(platform)},${textField(url)},${textField(author)},${csvField(followers)},${format(createdAt)},${at(firstResponseAt)},` +
          `${csvField(minutes(frt))},${csvField(minutes(lag))},${textField(status)},${textField(category)},${csvField(sentiment)},${textField(keyword)},${sla},` +
          // A direct message's text stays out of the export unless asked for (--include-private).
          `${channel === 'dm' && !withText ? '' : textField(body)},${csvField(channel)},${at(privateAt)},${at(firstPrivateResponseAt)},` +
          `${csvField(minutes(firstPrivateAnswer))},${at(resolvedAt)},${csvField(minutes(resolution))}\r\n`;
        count++;
        if (out.add(record)) await out.flush();
      }
    }
    await out.flush();
    return count;
  };
  // A small page cache keeps the export's memory flat.
  return await withSmallPageCache(db, scan);
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
