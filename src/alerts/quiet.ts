import { localParts, localToInstant } from '../time/zone.js';

export interface QuietHours {
  /** Local wall-clock `HH:MM`; `from` later than `to` spans midnight. */
  from: string;
  to: string;
}

function minutes(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h! * 60 + m!;
}

/** When the quiet hours around `now` end, or null when `now` is outside them. */
export function quietUntil(now: number, quiet: QuietHours | undefined, timeZone: string): number | null {
  if (!quiet) return null;
  const from = minutes(quiet.from);
  const to = minutes(quiet.to);
  if (from === to) return null;
  const p = localParts(now, timeZone);
  const t = p.hour * 60 + p.minute;
  const inside = from < to ? t >= from && t < to : t >= from || t < to;
  if (!inside) return null;
  const day = t < to ? p.day : p.day + 1;
  return localToInstant(p.year, p.month, day, Math.floor(to / 60), to % 60, timeZone);
}
