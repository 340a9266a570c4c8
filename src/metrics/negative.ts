/**
 * A negative mention — a problem report, a complaint, or sour sentiment: what an outage looks like
 * (the alerts' negative spike). TS and SQL side by side; test/report/metrics.test.ts checks they agree.
 */

export function isNegative(m: { category: string | null; sentiment: number | null }): boolean {
  return m.category === 'problem' || m.category === 'complaint' || (m.sentiment !== null && m.sentiment < 0);
}

/** isNegative over a `mentions` row aliased `m`. */
export const NEGATIVE_SQL = "(m.category IN ('problem', 'complaint') OR m.sentiment < 0)";
