import { UsageError } from '../errors.js';
import { parseWhen } from '../time/when.js';
import { parseWeek, type Period } from '../time/week.js';
import { formatInstant } from '../time/zone.js';

export interface PeriodOptions {
  week?: string;
  since?: string;
  until?: string;
}

/** The period a `report` or `export` covers: `--week` (default `last`), or `--since` [`--until`, default now]. */
export function resolvePeriod(options: PeriodOptions, now: number, timeZone: string): Period {
  if (options.week !== undefined && (options.since !== undefined || options.until !== undefined)) {
    throw new UsageError('--week cannot be combined with --since/--until; choose one way to give the period');
  }
  if (options.since === undefined && options.until !== undefined) {
    throw new UsageError('--until needs --since (e.g. --since 2026-11-01 --until 2026-11-08)');
  }
  if (options.since !== undefined) {
    const start = parseWhen(options.since, now, timeZone);
    if (start === null) throw new UsageError(`--since: "${options.since}" is not a date (use 2026-11-16, 2026-11-16T09:00, or 7d / 24h)`);
    const end = options.until === undefined ? now : parseWhen(options.until, now, timeZone);
    if (end === null) throw new UsageError(`--until: "${options.until}" is not a date (use 2026-11-23, 2026-11-23T09:00, or 24h)`);
    if (end <= start) throw new UsageError(`--until must be after --since (got ${formatInstant(start, timeZone)} → ${formatInstant(end, timeZone)})`);
    return { start, end, label: `${formatInstant(start, timeZone)} – ${formatInstant(end, timeZone)}`, week: null, timeZone };
  }
  const text = options.week ?? 'last';
  const period = parseWeek(text, now, timeZone);
  if (!period) throw new UsageError(`--week: "${text}" is not a week (use an ISO week like 2026-W47, or last, or this)`);
  return period;
}
