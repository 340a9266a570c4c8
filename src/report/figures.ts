/**
 * The report's own figures: percentiles, means, shares, minutes, and the customer-expectation
 * table (DESIGN §1, §8). The metric definitions themselves (needs a response, FRT, SLA deadline and
 * breach, with their SQL twins) live in src/metrics.
 */

const MINUTE = 60_000;

/** Answered the same local calendar day: before the local midnight that ends the day it was created. */
export function answeredSameDay(firstResponseAt: number | null, createdDayEnd: number): boolean {
  return firstResponseAt !== null && firstResponseAt < createdDayEnd;
}

/** Nearest-rank percentile of ascending values: the smallest value with at least p% of values at or below it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** A share rounded for reports; null when nothing to divide by. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** Milliseconds as minutes with one decimal, as the report and CSV print them. */
export function minutes(ms: number | null): number | null {
  return ms === null ? null : Math.round((ms / MINUTE) * 10) / 10;
}

/** The expectation table's thresholds (calendar time: that is how customers wait). */
export const EXPECTATIONS = [
  { key: 'within30m', label: 'within 30 min', ms: 30 * MINUTE },
  { key: 'within2h', label: 'within 2 h', ms: 120 * MINUTE },
  { key: 'sameDay', label: 'same day', ms: null },
  { key: 'within24h', label: 'within 24 h', ms: 1440 * MINUTE },
] as const;
export type ExpectationKey = (typeof EXPECTATIONS)[number]['key'];

/**
 * Share of customers expecting an answer within each threshold, from the surveys behind the product
 * (DESIGN §1). Platforms without their own survey are compared with X/Twitter's figures.
 */
export const CUSTOMER_EXPECTATIONS: Record<string, Partial<Record<ExpectationKey, number>>> = {
  twitter: { within30m: 0.3, within2h: 0.5, sameDay: 0.83 },
  facebook: { sameDay: 0.71, within24h: 0.5 },
};

export function customerExpectations(platform: string): { survey: string; figures: Partial<Record<ExpectationKey, number>> } {
  const own = CUSTOMER_EXPECTATIONS[platform];
  return own ? { survey: platform, figures: own } : { survey: 'twitter', figures: CUSTOMER_EXPECTATIONS.twitter! };
}
