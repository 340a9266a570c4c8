import type { Category } from '../store/mentions.js';
import { formatDuration } from '../config/duration.js';
import { atCreation, engagementGrowth, type Engagement, type EngagementReading } from '../metrics/engagement.js';
import { slaStanding, type SlaStanding } from '../metrics/sla.js';
import { CALENDAR_TIME, type ResponseClock } from '../time/business.js';

/** What priority needs to know about an item; pure data so the ranking is testable. */
export interface PriorityInput {
  category: Category | null;
  /** -1 (sour) … 1 (sweet); null when unknown. */
  sentiment: number | null;
  authorFollowers: number | null;
  /** Since when the customer waits for us: the mention's time, or the newest follow-up after our reply. */
  waitingSince: number;
  /** The platform's SLA target (src/metrics/sla.ts slaTarget). */
  target: number;
  /** The clock the SLA runs on (calendar time unless `businessHours` is configured). */
  clock?: ResponseClock;
  metrics: Engagement;
  /** When `metrics` were read. */
  metricsAt: number | null;
  /** The reading of the poll before, when known. */
  previous: EngagementReading | null;
  /** When the post was made (velocity without a previous reading). */
  createdAt: number;
}

export type PriorityFactor = 'sla' | 'category' | 'sentiment' | 'reach' | 'velocity';

export interface PriorityPart {
  factor: PriorityFactor;
  points: number;
  max: number;
  detail: string;
}

export interface Priority {
  /** 0–100, the sum of the parts. */
  score: number;
  parts: PriorityPart[];
  /** Where the item stands against its SLA at that time (src/metrics/sla.ts), as alerts and the report see it. */
  sla: SlaStanding;
}

/** Most points each factor can give; they add up to 100. */
export const FACTOR_MAX: Record<PriorityFactor, number> = { sla: 40, category: 25, sentiment: 15, reach: 10, velocity: 10 };

/** DESIGN §6: problem > complaint > question > feedback > promo > praise. */
export const CATEGORY_WEIGHT: Record<Category | 'unknown', number> = {
  problem: 1,
  complaint: 0.85,
  question: 0.6,
  feedback: 0.36,
  promo: 0.24,
  praise: 0.12,
  other: 0.2,
  unknown: 0.3,
};

const round1 = (n: number) => Math.round(n * 10) / 10;
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * A count with thousands separators, as `toLocaleString('en')` writes it ("12,345"), without starting ICU's
 * number formatting for one line of `show`.
 */
export function groupedCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 || Object.is(n, -0) ? `-${digits}` : digits;
}

/** Engagement gained per hour (src/metrics/engagement.ts): between the last two polls when known, else since the post was made. */
export function velocityPerHour(input: PriorityInput, now: number): { perHour: number; basis: 'polls' | 'age' } {
  const current = { ...input.metrics, at: input.metricsAt ?? now };
  const polls = input.previous ? engagementGrowth(current, input.previous) : null;
  if (polls) return { perHour: polls.perHour, basis: 'polls' };
  // Short ages would make a few likes look viral: count at least ten minutes.
  return { perHour: engagementGrowth(current, atCreation(input.createdAt), 600_000)!.perHour, basis: 'age' };
}

/**
 * Priority of an open item at `now`, with the part each factor contributes. `explain: false` skips
 * the wording of the parts (ingest runs this for every mention and only needs the score).
 */
export function priority(input: PriorityInput, now: number, { explain = true }: { explain?: boolean } = {}): Priority {
  const parts: PriorityPart[] = [];
  const say = (words: () => string) => (explain ? words() : '');

  const standing = slaStanding(input.waitingSince, input.target, input.clock ?? CALENDAR_TIME, now);
  const used = standing.used / Math.max(input.target, 1);
  const left = standing.left;
  // Steeper as the deadline nears; everything past it is at the top.
  const sla = FACTOR_MAX.sla * Math.pow(clamp(used, 0, 1), 1.5);
  parts.push({
    factor: 'sla',
    points: sla,
    max: FACTOR_MAX.sla,
    detail: say(() => (!standing.breached ? `${formatDuration(left)} left of ${formatDuration(input.target)} SLA` : `SLA breached ${formatDuration(-left)} ago`)),
  });

  const weight = CATEGORY_WEIGHT[input.category ?? 'unknown'];
  parts.push({ factor: 'category', points: FACTOR_MAX.category * weight, max: FACTOR_MAX.category, detail: input.category ?? 'not classified' });

  const sour = Math.max(0, -(input.sentiment ?? 0));
  parts.push({
    factor: 'sentiment',
    points: FACTOR_MAX.sentiment * sour,
    max: FACTOR_MAX.sentiment,
    detail: say(() =>
      input.sentiment === null ? 'unknown' : input.sentiment < 0 ? `negative (${input.sentiment.toFixed(2)})` : `not negative (${input.sentiment.toFixed(2)})`,
    ),
  });

  const followers = input.authorFollowers ?? 0;
  // A million followers is the top of the scale.
  parts.push({
    factor: 'reach',
    points: FACTOR_MAX.reach * clamp(Math.log10(followers + 1) / 6, 0, 1),
    max: FACTOR_MAX.reach,
    detail: say(() => (input.authorFollowers === null ? 'followers unknown' : `${groupedCount(followers)} followers`)),
  });

  const velocity = velocityPerHour(input, now);
  // A thousand interactions an hour is the top of the scale.
  parts.push({
    factor: 'velocity',
    points: FACTOR_MAX.velocity * clamp(Math.log10(velocity.perHour + 1) / 3, 0, 1),
    max: FACTOR_MAX.velocity,
    detail: say(() => `${round1(velocity.perHour)} interactions/h ${velocity.basis === 'polls' ? 'since the last poll' : 'since posted'}`),
  });

  for (const part of parts) part.points = round1(part.points);
  const score = round1(clamp(parts.reduce((sum, p) => sum + p.points, 0), 0, 100));
  return { score, parts, sla: standing };
}

/** The one or two factors that put an item where it is, for the triage header. */
export function shortReason(result: Priority): string {
  return [...result.parts]
    .sort((a, b) => b.points / b.max - a.points / a.max || b.points - a.points)
    .filter((p) => p.points > 0)
    .slice(0, 2)
    .map((p) => p.detail)
    .join('; ');
}
