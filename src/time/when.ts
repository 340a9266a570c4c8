import { parseDuration } from '../config/duration.js';
import { localToInstant } from './zone.js';

/**
 * A point in time from a flag: a relative age (`7d`, `24h`, `90m` = that long before now),
 * an ISO date (`2026-11-16`, local midnight in the zone) or an ISO date-time (with or without offset).
 * Returns null when the text is none of these.
 */
export function parseWhen(text: string, now: number, timeZone: string): number | null {
  const trimmed = text.trim();
  const relative = parseDuration(trimmed);
  if (relative !== null) return now - relative;
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!validDate(y, m, d)) return null;
    return localToInstant(y, m, d, 0, 0, timeZone);
  }
  const dateTime = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(trimmed);
  if (dateTime) {
    const [y, m, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(dateTime[i]));
    if (!validDate(y!, m!, d!) || h! > 23 || mi! > 59) return null;
    if (dateTime[7]) {
      const parsed = Date.parse(trimmed.replace(' ', 'T'));
      return Number.isNaN(parsed) ? null : parsed;
    }
    return localToInstant(y!, m!, d!, h!, mi!, timeZone) + Number(dateTime[6] ?? 0) * 1000;
  }
  return null;
}

function validDate(y: number, m: number, d: number): boolean {
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}
