// The alert run reads only the open mentions a rule can fire on (src/store/alerts.ts openMentionsForAlerts).
// This checks that narrowing against the rules themselves: on random stores, the real run raises exactly what
// the rules raise over every open mention.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openStore } from '../../src/store/open.js';
import { listAlerts } from '../../src/store/alerts.js';
import { raiseAlerts } from '../../src/alerts/run.js';
import { evaluateAlerts, type MentionFacts } from '../../src/alerts/rules.js';
import { configSchema } from '../../src/config/schema.js';
import { slaDeadline, slaTarget } from '../../src/metrics/sla.js';
import { CATEGORIES, type Category } from '../../src/metrics/vocabulary.js';
import type { Status } from '../../src/store/mentions.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 23, 9, 0);

const config = configSchema.parse({
  brand: 'Acme',
  keywords: ['acme'],
  sources: [{ platform: 'twitter', bearerTokenEnv: 'T' }],
  sla: { twitter: '30m', mastodon: '4h', 'dm.twitter': '2h', default: '24h' },
  // Every level alerts, growth shows early, and spikes (a rule over counts, not over these rows) stay out of it.
  alerts: { minPriority: 'low', slaMinPriority: 'low', maxAge: '24h', slaLead: '30m', viral: { perHour: 2, minGrowth: 2 }, spike: { minCount: 1_000_000 } },
});
const settings = config.alerts!;

const reading = (from: number) =>
  fc.record({
    after: fc.oneof(fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 0, max: 400 * DAY })),
    likes: fc.integer({ min: 0, max: 500 }),
    reposts: fc.integer({ min: 0, max: 50 }),
  }).map((r) => ({ at: Math.min(NOW, from + r.after), likes: r.likes, reposts: r.reposts, replies: 0, quotes: 0 }));

const stored = fc
  .record({
    // Mostly a backfill a year deep, some of it from the last day or two, a few posts dated a little ahead.
    age: fc.oneof(fc.integer({ min: -HOUR, max: 2 * HOUR }), fc.integer({ min: -HOUR, max: 3 * DAY }), fc.integer({ min: 0, max: 400 * DAY })),
    platform: fc.constantFrom('twitter', 'mastodon', 'reddit'),
    channel: fc.constantFrom('public' as const, 'public' as const, 'dm' as const),
    status: fc.constantFrom<Status>('new', 'open', 'open', 'replied', 'resolved'),
    priority: fc.double({ min: 0, max: 100, noNaN: true }),
    category: fc.option(fc.constantFrom<Category>(...CATEGORIES), { nil: null }),
    answeredAfter: fc.option(fc.integer({ min: 0, max: 2 * DAY }), { nil: null, freq: 2 }),
    readings: fc.integer({ min: 0, max: 2 }),
    seed: fc.integer(),
  })
  .chain((m) => {
    const createdAt = NOW - m.age;
    return fc.tuple(fc.constant({ ...m, createdAt }), reading(createdAt), reading(createdAt));
  })
  .map(([m, a, b]) => {
    const [previous, latest] = a.at <= b.at ? [a, b] : [b, a];
    return { ...m, latest: m.readings > 0 ? latest : null, previous: m.readings > 1 ? previous : null };
  });

describe('the alert run reads only mentions a rule can fire on', () => {
  it('raises exactly what the rules raise over every open mention (random stores)', async () => {
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(stored, { minLength: 1, maxLength: 40 }), async (mentions) => {
        const store = await openStore(':memory:');
        try {
          const facts: MentionFacts[] = [];
          for (const [i, m] of mentions.entries()) {
            await store.db.run(
                `INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at,
                   priority, category, first_response_at, channel, likes, reposts, metrics_updated_at, prev_likes, prev_reposts, prev_replies, prev_quotes, prev_metrics_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, '["acme"]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              [
                m.platform, m.platform, String(i), `user${i}`, `acme post ${i}`, m.createdAt, NOW, m.status, NOW, m.priority, m.category,
                m.answeredAfter === null ? null : m.createdAt + m.answeredAfter, m.channel, m.latest?.likes ?? 0, m.latest?.reposts ?? 0,
                m.latest?.at ?? null, m.previous?.likes ?? null, m.previous?.reposts ?? null, m.previous ? 0 : null, m.previous ? 0 : null, m.previous?.at ?? null,
              ],
            );
            const id = (await store.db.get<{ id: number }>('SELECT max(id) AS id FROM mentions'))!.id;
            if (m.status !== 'new' && m.status !== 'open') continue;
            const target = slaTarget(config, m.platform, m.channel);
            facts.push({
              id,
              platform: m.platform,
              url: null,
              authorHandle: `user${i}`,
              text: `acme post ${i}`,
              keywords: ['acme'],
              createdAt: m.createdAt,
              status: m.status,
              category: m.category,
              sentiment: null,
              priority: m.priority,
              firstResponseAt: m.answeredAfter === null ? null : m.createdAt + m.answeredAfter,
              engagement: m.latest,
              previousEngagement: m.previous,
              slaTarget: target,
              deadline: slaDeadline(m.createdAt, target),
              channel: m.channel,
            });
          }
          const expected = evaluateAlerts({
            now: NOW,
            settings: { minPriority: settings.minPriority, slaLead: settings.slaLead, slaMinPriority: settings.slaMinPriority, maxAge: settings.maxAge, viral: settings.viral, spike: settings.spike },
            mentions: facts,
            lastSeenMentionId: null,
            volumes: [],
            spikes: [],
          }).alerts.map((a) => a.key);
          await raiseAlerts({ db: store.db, config, env: {}, now: NOW, timeZone: 'UTC', verbose: () => undefined });
          const raised = (await listAlerts(store.db, { limit: 1000 })).map((a) => a.key);
          expect(raised.sort()).toEqual(expected.sort());
          for (const key of raised) kinds.add(key.split(':')[0]!);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 150 },
    );
    // The data reaches every rule that reads these rows.
    expect([...kinds].sort()).toEqual(['breach', 'new', 'sla_soon', 'viral']);
  });
});
