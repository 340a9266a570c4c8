import type { BusinessHours } from '../config/business-hours.js';
import { dayLabel, localCalendar } from './zone.js';

/**
 * The clock response times and SLA deadlines run on: calendar time, or only the hours the team
 * is open (`businessHours` in config). Not the current time (that is the context's `now`), nor a zone's calendar (src/time/zone.ts).
 */
export interface ResponseClock {
  readonly kind: 'calendar' | 'business';
  /** Time on this clock between two instants (0 when `to` ≤ `from`). */
  elapsed(from: number, to: number): number;
  /** The instant when `duration` of this clock's time has passed since `from`. */
  add(from: number, duration: number): number;
  /** One line for the report header. */
  describe(): string;
}

export const CALENDAR_TIME: ResponseClock = {
  kind: 'calendar',
  elapsed: (from, to) => Math.max(0, to - from),
  add: (from, duration) => from + duration,
  describe: () => 'calendar time (24/7)',
};

// No open hour within ten years means the hours are unusable; the schema prevents it, this stops a loop.
const MAX_DAYS = 3660;

/** A clock that runs only during opening hours in the zone, skipping closed days and holidays. */
export function businessHoursClock(hours: BusinessHours, timeZone: string): ResponseClock {
  const zone = localCalendar(timeZone);
  const holidays = new Set(hours.holidays);
  const windows = new Map<number, readonly [number, number] | null>();

  /** Open and close instants of a local day, or null when closed. */
  const window = (day: number): readonly [number, number] | null => {
    let value = windows.get(day);
    if (value === undefined) {
      const weekday = (new Date(day * 86_400_000).getUTCDay() + 6) % 7;
      const open = hours.days[weekday];
      value = open && !holidays.has(dayLabel(day)) ? [zone.instant(day, open.open), zone.instant(day, open.close)] : null;
      windows.set(day, value);
    }
    return value;
  };

  return {
    kind: 'business',
    elapsed(from, to) {
      if (to <= from) return 0;
      let total = 0;
      const last = zone.localDay(to);
      for (let day = zone.localDay(from); day <= last; day++) {
        const w = window(day);
        if (!w) continue;
        const start = Math.max(w[0], from);
        const end = Math.min(w[1], to);
        if (end > start) total += end - start;
      }
      return total;
    },
    add(from, duration) {
      let remaining = Math.max(0, duration);
      const first = zone.localDay(from);
      for (let day = first; day < first + MAX_DAYS; day++) {
        const w = window(day);
        if (!w) continue;
        const start = Math.max(w[0], from);
        if (start >= w[1]) continue;
        if (remaining <= w[1] - start) return start + remaining;
        remaining -= w[1] - start;
      }
      return Number.POSITIVE_INFINITY;
    },
    describe() {
      const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
      const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      const parts: string[] = [];
      for (let i = 0; i < 7; ) {
        const d = hours.days[i];
        if (!d) {
          i++;
          continue;
        }
        let j = i;
        while (j + 1 < 7 && hours.days[j + 1]?.open === d.open && hours.days[j + 1]?.close === d.close) j++;
        parts.push(`${names[i]}${j > i ? `–${names[j]}` : ''} ${hhmm(d.open)}–${hhmm(d.close)}`);
        i = j + 1;
      }
      const holidays = hours.holidays.length > 0 ? `, ${hours.holidays.length} holiday${hours.holidays.length === 1 ? '' : 's'}` : '';
      return `business hours only (${parts.join(', ')} ${timeZone}${holidays})`;
    },
  };
}

/** The clock a config asks for. */
export function responseClockFor(config: { businessHours?: BusinessHours | undefined }, timeZone: string): ResponseClock {
  return config.businessHours ? businessHoursClock(config.businessHours, timeZone) : CALENDAR_TIME;
}
