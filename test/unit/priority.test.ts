import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupedCount, priority, shortReason, FACTOR_MAX, type PriorityInput } from '../../src/triage/priority.js';
import { priorityLevel } from '../../src/triage/levels.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const MIN = 60_000;
const HOUR = 3_600_000;
const TARGET = 30 * MIN;

function item(overrides: Partial<PriorityInput> & { ageMs?: number } = {}): PriorityInput {
  const { ageMs = 5 * MIN, ...rest } = overrides;
  const createdAt = NOW - ageMs;
  return {
    category: 'question',
    sentiment: 0,
    authorFollowers: 200,
    waitingSince: createdAt,
    target: TARGET,
    metrics: { likes: 1, reposts: 0, replies: 0, quotes: 0 },
    metricsAt: NOW,
    previous: null,
    createdAt,
    ...rest,
  };
}

const score = (input: PriorityInput) => priority(input, NOW).score;

describe('priority', () => {
  it('an old complaint near its SLA beats a fresh praise', () => {
    const complaint = item({ category: 'complaint', sentiment: -0.5, ageMs: 27 * MIN });
    const praise = item({ category: 'praise', sentiment: 0.8, ageMs: 1 * MIN, authorFollowers: 50_000 });
    expect(score(complaint)).toBeGreaterThan(score(praise));
  });

  it('a fast-growing negative post from a large account rises above the same post growing slowly from a small one', () => {
    const base = { category: 'complaint' as const, sentiment: -0.7, ageMs: 10 * MIN };
    const quiet = item({ ...base, authorFollowers: 120, metrics: { likes: 3, reposts: 0, replies: 1, quotes: 0 }, previous: { likes: 2, reposts: 0, replies: 1, quotes: 0, at: NOW - 5 * MIN } });
    const viral = item({
      ...base,
      authorFollowers: 480_000,
      metrics: { likes: 900, reposts: 240, replies: 80, quotes: 30 },
      previous: { likes: 150, reposts: 20, replies: 10, quotes: 2, at: NOW - 5 * MIN },
    });
    expect(score(viral) - score(quiet)).toBeGreaterThan(12);
    const velocity = priority(viral, NOW).parts.find((p) => p.factor === 'velocity')!;
    expect(velocity.points).toBe(FACTOR_MAX.velocity);
    expect(velocity.detail).toMatch(/interactions\/h since the last poll/);
    expect(priorityLevel(score(viral))).not.toBe(priorityLevel(score(quiet)));
  });

  it('velocity is the growth between polls, not the total: a big but stalled post does not rise', () => {
    const stalled = item({ metrics: { likes: 5000, reposts: 900, replies: 300, quotes: 40 }, previous: { likes: 5000, reposts: 900, replies: 300, quotes: 40, at: NOW - 10 * MIN }, ageMs: 3 * HOUR });
    expect(priority(stalled, NOW).parts.find((p) => p.factor === 'velocity')!.points).toBe(0);
  });

  it('orders categories problem > complaint > question > feedback > promo > praise, all else equal', () => {
    const order = ['problem', 'complaint', 'question', 'feedback', 'promo', 'praise'] as const;
    const scores = order.map((category) => score(item({ category })));
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(new Set(scores).size).toBe(order.length);
  });

  it('rises as the SLA deadline nears and is highest once it has passed', () => {
    const ages = [0, 10, 20, 28, 30, 45, 600].map((m) => m * MIN);
    const previous = { likes: 1, reposts: 0, replies: 0, quotes: 0, at: NOW - 5 * MIN };
    const scores = ages.map((ageMs) => score(item({ ageMs, previous })));
    for (let i = 1; i < scores.length; i++) expect(scores[i]!).toBeGreaterThanOrEqual(scores[i - 1]!);
    expect(scores[4]).toBe(scores[6]);
    expect(priority(item({ ageMs: 45 * MIN }), NOW).parts[0]!.detail).toBe('SLA breached 15m ago');
  });

  it('negative sentiment and reach raise it; positive sentiment does not lower it below neutral', () => {
    expect(score(item({ sentiment: -0.9 }))).toBeGreaterThan(score(item({ sentiment: 0 })));
    expect(score(item({ sentiment: 0.9 }))).toBe(score(item({ sentiment: 0 })));
    expect(score(item({ authorFollowers: 1_000_000 }))).toBeGreaterThan(score(item({ authorFollowers: 100 })));
  });

  it('stays within 0–100, its parts add up to the score, and it says why', () => {
    const worst = item({ category: 'problem', sentiment: -1, authorFollowers: 10_000_000, ageMs: 10 * HOUR, metrics: { likes: 1e6, reposts: 1e5, replies: 1e4, quotes: 1e4 }, previous: { likes: 0, reposts: 0, replies: 0, quotes: 0, at: NOW - MIN } });
    const least = item({ category: 'praise', sentiment: 1, authorFollowers: 0, ageMs: 0, metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 } });
    for (const input of [worst, least, item()]) {
      const result = priority(input, NOW);
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThanOrEqual(100);
      expect(Math.abs(result.parts.reduce((s, p) => s + p.points, 0) - result.score)).toBeLessThan(0.2);
    }
    expect(score(worst)).toBe(100);
    expect(priorityLevel(score(worst))).toBe('urgent');
    expect(priorityLevel(score(least))).toBe('low');
    expect(shortReason(priority(worst, NOW))).toMatch(/SLA breached/);
  });
});

describe('follower counts in the explanation', () => {
  it('are grouped exactly as toLocaleString("en") groups them', () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.double()), (n) => groupedCount(n) === n.toLocaleString('en')), { numRuns: 5000 });
    expect(groupedCount(1_234_567)).toBe('1,234,567');
  });
});
