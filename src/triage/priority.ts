import type { Category } from '../store/mentions.js';
import { formatDuration } from '../config/duration.js';

/** What priority needs to know about an item; pure data so the ranking is testable. */
export interface PriorityInput {
  category: Category | null;
  /** -1 (sour) … 1 (sweet); null when unknown. */
  sentiment: number | null;
  authorFollowers: number | null;
  /** Since when the customer waits for us: the mention's time, or the newest follow-up after our reply. */
  waitingSince: number;
  /** First-response due time (src/metrics/sla.ts slaDeadline). */
  deadline: number;
  /** The SLA target, to say how much of it is used. */
  target: number;
  metrics: { likes: number; reposts: number; replies: number; quotes: number };
  /** When `metrics` were read. */
  metricsAt: number | null;
  /** The snapshot of the poll before, when known. */
  previous: { likes: number; reposts: number; replies: number; quotes: number; at: number } | null;
  /** When the post was made (velocity without a previous snapshot). */
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

/** Engagement as one number: shares and quotes spread a post further than likes. */
function engagement(m: { likes: number; reposts: number; replies: number; quotes: number }): number {
  return m.likes + 2 * m.reposts + m.replies + 2 * m.quotes;
}

/** Engagement gained per hour: between the last two polls when known, else since the post was made. */
export function velocityPerHour(input: PriorityInput, now: number): { perHour: number; basis: 'polls' | 'age' } {
  const at = input.metricsAt ?? now;
  if (input.previous && at > input.previous.at) {
    const gained = Math.max(0, engagement(input.metrics) - engagement(input.previous));
    return { perHour: gained / ((at - input.previous.at) / 3_600_000), basis: 'polls' };
  }
  // Short ages would make a few likes look viral: count at least ten minutes.
  const hours = Math.max(at - input.createdAt, 600_000) / 3_600_000;
  return { perHour: engagement(input.metrics) / hours, basis: 'age' };
}

/**
 * Priority of an open item at `now`, with the part each factor contributes. `explain: false` skips
 * the wording of the parts (ingest runs this for every mention and only needs the score).
 */
export function priority(input: PriorityInput, now: number, { explain = true }: { explain?: boolean } = {}): Priority {
  const parts: PriorityPart[] = [];
  const say = (words: () => string) => (explain ? words() : '');

  const used = (now - input.waitingSince) / Math.max(input.target, 1);
  const left = input.deadline - now;
  // Steeper as the deadline nears; everything past it is at the top.
  const sla = FACTOR_MAX.sla * Math.pow(clamp(used, 0, 1), 1.5);
  parts.push({
    factor: 'sla',
    points: sla,
    max: FACTOR_MAX.sla,
    detail: say(() => (left >= 0 ? `${formatDuration(left)} left of ${formatDuration(input.target)} SLA` : `SLA breached ${formatDuration(-left)} ago`)),
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
    detail: say(() => (input.authorFollowers === null ? 'followers unknown' : `${followers.toLocaleString('en')} followers`)),
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
  return { score, parts };
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
