/**
 * Engagement and its growth, for priority's velocity and the viral alert alike (DESIGN §6: "metrics
 * growth between polls"). Both read the one history the store keeps: a mention's current counters and
 * the previous poll's (`prev_*` columns on `mentions`).
 */

/** A post's public engagement counters. */
export interface Engagement {
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
}

/** A reading of the counters and when it was taken. */
export interface EngagementReading extends Engagement {
  at: number;
}

/**
 * Engagement as one number: interactions, each counted once, as the platforms show them. The viral
 * alert's thresholds (`alerts.viral`, in interactions) and the README speak of this sum.
 */
export function engagement(e: Engagement): number {
  return e.likes + e.reposts + e.replies + e.quotes;
}

const HOUR = 3_600_000;

/** A post first seen within this long of its creation counts its engagement so far as growth (alerts). */
export const FIRST_SIGHT_AGE = HOUR;

/** The reading every post starts from: nothing, when it was made. */
export function atCreation(createdAt: number): EngagementReading {
  return { likes: 0, reposts: 0, replies: 0, quotes: 0, at: createdAt };
}

export interface EngagementGrowth {
  /** Interactions gained (never negative: a withdrawn like is no growth). */
  gained: number;
  /** Over how long, in ms. */
  over: number;
  perHour: number;
}

/**
 * Engagement gained from one reading to a later one. `minSpan` floors the time it is spread over
 * (a few likes in the first minute would otherwise look viral). Null when `current` is not later.
 */
export function engagementGrowth(current: EngagementReading, since: EngagementReading, minSpan = 0): EngagementGrowth | null {
  const over = Math.max(current.at - since.at, minSpan);
  if (over <= 0) return null;
  const gained = Math.max(0, engagement(current) - engagement(since));
  return { gained, over, perHour: (gained * HOUR) / over };
}
