import { dayLabel, localToInstant, localCalendar } from './zone.js';

const DAY = 86_400_000;

/** A report period: [start, end) in epoch ms, with the label the report prints. */
export interface Period {
  start: number;
  end: number;
  label: string;
  /** ISO week (`2026-W47`) when the period is a whole week. */
  week: string | null;
  timeZone: string;
}

/** One local calendar day of a period, clipped to the period. */
export interface PeriodDay {
  /** `YYYY-MM-DD` in the period's zone. */
  day: string;
  start: number;
  end: number;
  /** Local midnight that ends this calendar day (≥ end when clipped). */
  dayEnd: number;
}

/** ISO 8601 week-numbering year and week of a calendar date (days since 1970-01-01). */
export function isoWeekOf(day: number): { year: number; week: number } {
  const weekday = (new Date(day * DAY).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = day - weekday + 3;
  const year = new Date(thursday * DAY).getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1) / DAY;
  return { year, week: Math.floor((thursday - jan1) / 7) + 1 };
}

/** Days since 1970-01-01 of the Monday of an ISO week, or null when the year has no such week. */
export function isoWeekMonday(year: number, week: number): number | null {
  if (week < 1 || week > 53) return null;
  const jan4 = Date.UTC(year, 0, 4) / DAY;
  const monday = jan4 - ((new Date(jan4 * DAY).getUTCDay() + 6) % 7) + (week - 1) * 7;
  return isoWeekOf(monday).year === year ? monday : null;
}

function weekName(year: number, week: number): string {
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function dayStart(day: number, timeZone: string): number {
  const date = new Date(day * DAY);
  return localToInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), 0, 0, timeZone);
}

/**
 * `2026-W47`, `this` or `last` as a period from local Monday 00:00 to the next Monday 00:00 in the zone
 * (a week with a DST change is 167 or 169 hours long). Null when the text is not a week.
 */
export function parseWeek(text: string, now: number, timeZone: string): Period | null {
  const trimmed = text.trim().toLowerCase();
  let monday: number | null;
  if (trimmed === 'this' || trimmed === 'last') {
    const today = localCalendar(timeZone).localDay(now);
    const thisMonday = today - ((new Date(today * DAY).getUTCDay() + 6) % 7);
    monday = trimmed === 'this' ? thisMonday : thisMonday - 7;
  } else {
    const match = /^(\d{4})-?w(\d{1,2})$/.exec(trimmed);
    if (!match) return null;
    monday = isoWeekMonday(Number(match[1]), Number(match[2]));
    if (monday === null) return null;
  }
  const { year, week } = isoWeekOf(monday);
  const name = weekName(year, week);
  return {
    start: dayStart(monday, timeZone),
    end: dayStart(monday + 7, timeZone),
    label: `${name} (${dayLabel(monday)} – ${dayLabel(monday + 6)})`,
    week: name,
    timeZone,
  };
}

/** The local calendar days that a period touches, each clipped to the period. */
export function periodDays(period: Pick<Period, 'start' | 'end' | 'timeZone'>): PeriodDay[] {
  const calendar = localCalendar(period.timeZone);
  const days: PeriodDay[] = [];
  if (period.end <= period.start) return days;
  for (let day = calendar.localDay(period.start); ; day++) {
    const start = dayStart(day, period.timeZone);
    if (start >= period.end) break;
    const dayEnd = dayStart(day + 1, period.timeZone);
    days.push({ day: dayLabel(day), start: Math.max(start, period.start), end: Math.min(dayEnd, period.end), dayEnd });
  }
  return days;
}
