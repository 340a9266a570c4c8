/**
 * When an open mention's engagement is worth reading again. Virality shows in a post's first hours; a
 * day-old post rarely takes off, and a handled one needs no watching. Each re-read is a billed post
 * read on X, so the schedule thins out with age: [age below, re-read at most every].
 */
export const REFRESH_SCHEDULE: readonly (readonly [maxAge: number, every: number])[] = [
  [2 * 3_600_000, 10 * 60_000],
  [6 * 3_600_000, 30 * 60_000],
  [24 * 3_600_000, 2 * 3_600_000],
];

/** Past this age a mention's metrics are never refreshed. */
export const REFRESH_MAX_AGE = REFRESH_SCHEDULE.at(-1)![0];

/** How long after its last reading a mention of this age is due again; null when never. */
export function refreshInterval(age: number): number | null {
  for (const [maxAge, every] of REFRESH_SCHEDULE) if (age < maxAge) return every;
  return null;
}

/** Refreshes one mention gets over its life when polled often enough: the cost of the schedule per mention. */
export function refreshesPerMention(pollEvery: number): number {
  let n = 0;
  let last = 0;
  for (let at = pollEvery; at < REFRESH_MAX_AGE; at += pollEvery) {
    const every = refreshInterval(at)!;
    if (at - last >= every) {
      n++;
      last = at;
    }
  }
  return n;
}
