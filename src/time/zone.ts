/** Time-zone arithmetic on epoch milliseconds with Intl only (no tz database of our own). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** 0001-01-01T00:00:00Z. */
const YEAR_ONE = -62_135_596_800_000;

export function localParts(at: number, timeZone: string): LocalParts {
  // UTC needs no zone data: plain arithmetic, without the cost of starting ICU's date formatting (a short
  // command's largest). From year 1 on, where Intl's era years and the proleptic calendar agree.
  if (timeZone === 'UTC' && at >= YEAR_ONE) {
    const date = new Date(at);
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: date.getUTCHours(), minute: date.getUTCMinutes(), second: date.getUTCSeconds() };
  }
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
export function zoneOffset(at: number, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant of a local wall-clock time in a zone (the earlier one when ambiguous, shifted forward in a gap). */
export function localToInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offsets around the wall-clock time (a day either side spans any transition that day).
  const offsets = new Set([zoneOffset(guess - 86_400_000, timeZone), zoneOffset(guess, timeZone), zoneOffset(guess + 86_400_000, timeZone)]);
  const candidates = [...offsets].map((offset) => guess - offset);
  // Those that read back as the wanted time; the earlier when ambiguous. None in a gap: the later (shifted forward).
  const exact = candidates.filter((at) => at + zoneOffset(at, timeZone) === guess);
  return exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
}

/** ISO 8601 with the zone's offset, e.g. `2026-11-22T09:30:00+00:00`. */
export function formatInstant(at: number, timeZone: string): string {
  const p = localParts(at, timeZone);
  const offset = Math.round(zoneOffset(at, timeZone) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function systemTimeZone(): string {
  // TZ=UTC (or Etc/UTC) is what Intl would answer, known without loading the zone data.
  const tz = process.env.TZ;
  if (tz === 'UTC' || tz === 'Etc/UTC') return 'UTC';
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const QUARTER_HOUR = 900_000;

/**
 * A zone's local calendar: instants to local days and minutes and back, fast enough for loops over many rows.
 * Offsets are cached per quarter hour: every zone's transitions fall on a quarter-hour boundary.
 */
export interface LocalCalendar {
  readonly timeZone: string;
  /** Offset from UTC at an instant, in ms. */
  offset(at: number): number;
  /** Days since 1970-01-01 of the local calendar date of an instant. */
  localDay(at: number): number;
  /** Minutes since local midnight of an instant. */
  localMinute(at: number): number;
  /** The instant of a local time: `day` as from localDay, `minute` since midnight (24*60 = next midnight). */
  instant(day: number, minute: number): number;
  /** ISO 8601 with offset, like formatInstant. */
  format(at: number): string;
}

export function localCalendar(timeZone: string): LocalCalendar {
  const offsets = new Map<number, number>();
  const instants = new Map<number, number>();
  const offset = (at: number): number => {
    const bucket = Math.floor(at / QUARTER_HOUR);
    let value = offsets.get(bucket);
    if (value === undefined) {
      value = zoneOffset(bucket * QUARTER_HOUR, timeZone);
      offsets.set(bucket, value);
    }
    return value;
  };
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
  return {
    timeZone,
    offset,
    localDay: (at) => Math.floor((at + offset(at)) / 86_400_000),
    localMinute: (at) => Math.floor((((at + offset(at)) % 86_400_000) + 86_400_000) % 86_400_000 / 60_000),
    instant(day, minute) {
      const key = day * 1441 + minute;
      let value = instants.get(key);
      if (value === undefined) {
        const date = new Date(day * 86_400_000);
        value = localToInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), Math.floor(minute / 60), minute % 60, timeZone);
        instants.set(key, value);
      }
      return value;
    },
    format(at) {
      const off = offset(at);
      const local = new Date(at + off).toISOString();
      const minutes = Math.round(Math.abs(off) / 60_000);
      return `${local.slice(0, 19)}${off < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
    },
  };
}

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
export function dayLabel(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
