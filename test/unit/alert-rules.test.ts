import { describe, expect, it } from 'vitest';
import { detectSpike, evaluateAlerts, type KeywordVolume, type MentionFacts, type RuleInput, type RuleSettings } from '../../src/alerts/rules.js';
import { quietUntil } from '../../src/alerts/quiet.js';
import { slackEscape, webhookBody, webhookOrigin } from '../../src/alerts/webhook.js';
import { jittered, statusText } from '../../src/cli/commands/watch.js';
import type { AlertRecord } from '../../src/store/alerts.js';
import type { EngagementReading } from '../../src/metrics/engagement.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.UTC(2026, 10, 20, 12, 0);

const SETTINGS: RuleSettings = {
  minPriority: 'high',
  slaLead: 10 * MIN,
  slaMinPriority: 'low',
  maxAge: 24 * HOUR,
  viral: { perHour: 100, minGrowth: 20 },
  spike: { window: 10 * MIN, baseline: 7 * 24 * HOUR, factor: 3, minCount: 10, cooldown: HOUR },
};

/** A reading of `likes` interactions at `at` (the sum is what counts, src/metrics/engagement.ts). */
function reading(likes: number, at: number): EngagementReading {
  return { likes, reposts: 0, replies: 0, quotes: 0, at };
}

function mention(overrides: Partial<MentionFacts> = {}): MentionFacts {
  const createdAt = overrides.createdAt ?? NOW - 5 * MIN;
  return {
    id: 1,
    platform: 'twitter',
    url: 'https://x.com/bob/status/1',
    authorHandle: 'bob',
    text: 'acme is down again',
    keywords: ['acme'],
    createdAt,
    status: 'new',
    category: 'problem',
    sentiment: -0.5,
    priority: 60,
    firstResponseAt: null,
    engagement: null,
    previousEngagement: null,
    slaTarget: 30 * MIN,
    deadline: createdAt + 30 * MIN,
    ...overrides,
  };
}

function run(mentions: MentionFacts[], extra: Partial<RuleInput> = {}) {
  return evaluateAlerts({ now: NOW, settings: SETTINGS, mentions, lastSeenMentionId: 0, volumes: [], spikes: [], ...extra });
}

function kinds(mentions: MentionFacts[], extra: Partial<RuleInput> = {}): string[] {
  return run(mentions, extra).alerts.map((a) => a.key);
}

describe('mention alert rules', () => {
  it.each([
    ['a new high-priority mention', mention(), {}, ['new:1']],
    ['a new urgent mention', mention({ priority: 90 }), {}, ['new:1']],
    ['a new normal-priority mention (below minPriority high)', mention({ priority: 40 }), {}, []],
    ['a mention seen by an earlier evaluation', mention(), { lastSeenMentionId: 1 }, []],
    ['the very first evaluation counts every open mention as new', mention(), { lastSeenMentionId: null }, ['new:1']],
    ['a new mention older than maxAge (a backlog)', mention({ createdAt: NOW - 25 * HOUR, deadline: NOW + HOUR }), {}, []],
    ['SLA soon: 9 minutes left, lead 10 minutes', mention({ priority: 10, createdAt: NOW - 21 * MIN, deadline: NOW + 9 * MIN }), {}, ['sla_soon:1']],
    ['11 minutes left: not yet', mention({ priority: 10, createdAt: NOW - 19 * MIN, deadline: NOW + 11 * MIN }), {}, []],
    ['breach: the deadline has passed', mention({ priority: 10, createdAt: NOW - 31 * MIN, deadline: NOW - MIN }), {}, ['breach:1']],
    // An answer at the deadline itself still meets the SLA (the report's rule, src/metrics/sla.ts isPastDeadline): a breach starts just after.
    ['at the deadline itself: not yet a breach', mention({ priority: 10, createdAt: NOW - 30 * MIN, deadline: NOW }), {}, ['sla_soon:1']],
    ['breach a moment after the deadline', mention({ priority: 10, createdAt: NOW - 30 * MIN - 1, deadline: NOW - 1 }), {}, ['breach:1']],
    ['a breach older than maxAge is not news', mention({ priority: 10, createdAt: NOW - 30 * HOUR, deadline: NOW - 25 * HOUR }), {}, []],
    ['an answered mention raises no SLA alert', mention({ priority: 10, firstResponseAt: NOW - MIN, deadline: NOW - MIN }), {}, []],
    ['praise needs no answer', mention({ priority: 10, category: 'praise', deadline: NOW - MIN }), {}, []],
    ['new and SLA soon together when a mention arrives late', mention({ createdAt: NOW - 25 * MIN, deadline: NOW + 5 * MIN }), {}, ['new:1', 'sla_soon:1']],
  ] as const)('%s', (_name, m, extra, expected) => {
    expect(kinds([m], extra as Partial<RuleInput>)).toEqual(expected);
  });

  it('respects slaMinPriority', () => {
    const low = mention({ priority: 10, deadline: NOW - MIN });
    expect(kinds([low], { settings: { ...SETTINGS, slaMinPriority: 'normal' } })).toEqual([]);
    expect(kinds([{ ...low, priority: 30 }], { settings: { ...SETTINGS, slaMinPriority: 'normal' } })).toEqual(['breach:1']);
  });

  it('titles say who, where, why, and carry sanitised platform text', () => {
    const [alert] = run([mention({ text: 'acme \x1b]52;c;ZXZpbA==\x07down\nagain', authorHandle: 'bob\x1b[2J' })]).alerts;
    expect(alert!.title).toBe('New high mention from @bob on twitter (problem, priority 60) — due in 25m: "acme down again"');
    expect(alert!.details).toEqual({ level: 'high' });
  });
});

describe('viral-risk rule (engagement growth between polls)', () => {
  it.each([
    ['40 interactions in 10 minutes (240/h)', { engagement: reading(50, NOW), previousEngagement: reading(10, NOW - 10 * MIN) }, true],
    ['15 in 1 minute: fast but below minGrowth', { engagement: reading(25, NOW), previousEngagement: reading(10, NOW - MIN) }, false],
    ['30 in 1 hour: below 100/h', { engagement: reading(40, NOW), previousEngagement: reading(10, NOW - HOUR) }, false],
    ['first sight counts from creation: 300 in 5 minutes', { engagement: reading(300, NOW), createdAt: NOW - 5 * MIN }, true],
    ['first sight of an old post: 300 in 2 days', { engagement: reading(300, NOW), createdAt: NOW - 48 * HOUR }, false],
    ['first sight of a 2-hour-old post with 3,000: measured from now on, not since creation', { engagement: reading(3000, NOW), createdAt: NOW - 2 * HOUR }, false],
    ['no reading since the previous one', { engagement: reading(500, NOW), previousEngagement: reading(10, NOW) }, false],
  ] as const)('%s', (_name, overrides, viral) => {
    const m = mention({ priority: 10, deadline: NOW + HOUR, ...(overrides as Partial<MentionFacts>) });
    expect(kinds([m]).includes('viral:1')).toBe(viral);
  });

  // The rules used to return engagement snapshots to keep; the store now keeps the previous poll's reading
  // on every refresh (migration 007), so the rules only read it.
  it('measures an old post from the poll after its first sighting on', () => {
    const old = mention({ engagement: reading(3100, NOW), previousEngagement: reading(3000, NOW - 10 * MIN), createdAt: NOW - 2 * HOUR });
    const alert = run([old]).alerts.find((a) => a.kind === 'viral')!;
    expect(alert.details).toMatchObject({ growth: 100, perHour: 600, engagement: 3100 });
  });

  it('counts every interaction once, whatever its kind (the one engagement formula)', () => {
    const mixed = mention({
      engagement: { likes: 10, reposts: 10, replies: 5, quotes: 5, at: NOW },
      previousEngagement: { likes: 5, reposts: 0, replies: 0, quotes: 0, at: NOW - 10 * MIN },
    });
    expect(run([mixed]).alerts.find((a) => a.kind === 'viral')!.details).toMatchObject({ growth: 25, perHour: 150, engagement: 30 });
  });
});

describe('spike rule', () => {
  const volume = (recent: number, recentNegative: number, baseline: number, baselineNegative = 0, baselineSpan = 7 * 24 * HOUR): KeywordVolume => ({
    keyword: 'acme',
    recent,
    recentNegative,
    baseline,
    baselineNegative,
    baselineSpan,
  });

  it.each([
    ['30 problem reports in 10 min against ~0.3 usual', volume(30, 30, 336), { volume: true, negative: true }],
    ['9 mentions: below minCount', volume(9, 9, 0), null],
    ['12 mentions where 10 are usual', volume(12, 0, 1008 * 10), null],
    ['40 mentions where 10 are usual: volume spike', volume(40, 2, 1008 * 10), { volume: true, negative: false }],
    ['usual volume but 12 complaints where 0.3 are usual', volume(14, 12, 1008 * 10, 336), { volume: false, negative: true }],
    ['too little history to judge', volume(30, 30, 0, 0, 5 * MIN), null],
  ] as const)('%s', (_name, v, expected) => {
    const result = detectSpike(v, SETTINGS.spike);
    if (expected === null) expect(result).toBeNull();
    else expect(result).toMatchObject(expected);
  });

  it('raises one spike alert and folds the mention alerts it covers', () => {
    const burst = Array.from({ length: 30 }, (_, i) => mention({ id: i + 1, createdAt: NOW - 9 * MIN + i * 15_000 }));
    const { alerts } = run(burst, { volumes: [volume(30, 30, 336)] });
    const spikes = alerts.filter((a) => a.kind === 'spike');
    expect(spikes).toHaveLength(1);
    expect(spikes[0]!.title).toBe('Spike: 30 mentions of "acme" in the last 10m (usually 0.3); 30 are problem reports, complaints or negative');
    const others = alerts.filter((a) => a.kind !== 'spike');
    expect(others).toHaveLength(30);
    expect(others.every((a) => a.foldedInto === spikes[0]!.key)).toBe(true);
  });

  it('raises no second spike during the cooldown, and folds the episode mentions when their SLA passes later', () => {
    const key = `spike:acme:${NOW - 20 * MIN}`;
    const spikes = [{ keyword: 'acme', at: NOW - 20 * MIN, key }];
    expect(kinds([], { volumes: [volume(30, 30, 336)], spikes })).toEqual([]);
    // After the cooldown a new burst is a new episode.
    expect(kinds([], { volumes: [volume(30, 30, 336)], spikes: [{ ...spikes[0]!, at: NOW - 2 * HOUR }] })).toEqual([`spike:acme:${NOW}`]);
    // A report from the episode breaching its SLA an hour later stays folded; one from before the episode does not.
    const inEpisode = mention({ id: 7, createdAt: NOW - 25 * MIN, deadline: NOW - MIN, priority: 10 });
    const before = mention({ id: 8, createdAt: NOW - 40 * MIN, deadline: NOW - 10 * MIN, priority: 10 });
    const { alerts } = run([inEpisode, before], { spikes, lastSeenMentionId: 100 });
    expect(alerts.map((a) => [a.key, a.foldedInto])).toEqual([
      ['breach:8', null],
      ['breach:7', key],
    ]);
  });
});

describe('quiet hours', () => {
  const quiet = { from: '22:00', to: '07:00' };
  it.each([
    ['23:30 UTC is quiet until 07:00 next day', Date.UTC(2026, 10, 20, 23, 30), 'UTC', Date.UTC(2026, 10, 21, 7, 0)],
    ['06:59 is quiet until 07:00 the same day', Date.UTC(2026, 10, 21, 6, 59), 'UTC', Date.UTC(2026, 10, 21, 7, 0)],
    ['07:00 is not quiet', Date.UTC(2026, 10, 21, 7, 0), 'UTC', null],
    ['21:59 is not quiet', Date.UTC(2026, 10, 21, 21, 59), 'UTC', null],
    ['in New York, 03:00 UTC is 22:00 local: quiet until 07:00 local (12:00 UTC)', Date.UTC(2026, 10, 21, 3, 0), 'America/New_York', Date.UTC(2026, 10, 21, 12, 0)],
    ['month end rolls over', Date.UTC(2026, 10, 30, 23, 0), 'UTC', Date.UTC(2026, 11, 1, 7, 0)],
  ] as const)('%s', (_name, now, zone, until) => {
    expect(quietUntil(now, quiet, zone)).toBe(until);
  });

  it('daytime quiet hours and none', () => {
    expect(quietUntil(Date.UTC(2026, 10, 21, 12, 30), { from: '12:00', to: '13:00' }, 'UTC')).toBe(Date.UTC(2026, 10, 21, 13, 0));
    expect(quietUntil(Date.UTC(2026, 10, 21, 12, 30), undefined, 'UTC')).toBeNull();
  });
});

describe('webhook body', () => {
  const record: AlertRecord = {
    id: 3,
    key: 'new:9',
    kind: 'new',
    mentionId: 9,
    keyword: 'acme',
    raisedAt: NOW,
    title: 'New high mention from @eve on twitter: "<!channel> free stuff & more"',
    payload: { key: 'new:9', kind: 'new', mention: { url: 'https://x.com/eve/status/9' } },
    foldedInto: null,
    quiet: false,
    delivery: 'pending',
    attempts: 0,
    nextAttemptAt: null,
    deliveredAt: null,
    lastError: null,
  };

  it('escapes Slack control characters so platform text cannot ping a channel', () => {
    expect(slackEscape('<!channel> a & b > c')).toBe('&lt;!channel&gt; a &amp; b &gt; c');
    expect(webhookBody(record)).toEqual({
      text: 'New high mention from @eve on twitter: "&lt;!channel&gt; free stuff &amp; more" <https://x.com/eve/status/9|open>',
      alert: { id: 3, key: 'new:9', kind: 'new', mention: { url: 'https://x.com/eve/status/9' } },
    });
  });

  it('names only the origin of a webhook URL', () => {
    expect(webhookOrigin('https://hooks.slack.com/services/T0/B0/SECRET?token=x')).toBe('https://hooks.slack.com');
  });
});

describe('watch helpers', () => {
  it('jitters the interval by at most 10%', () => {
    expect(jittered(60_000, () => 0)).toBe(54_000);
    expect(jittered(60_000, () => 0.5)).toBe(60_000);
    expect(jittered(60_000, () => 0.999999)).toBe(66_000);
  });

  it('status line', () => {
    expect(statusText({ open: 12, overdue: 2, nearest: { mentionId: 42, deadline: NOW + 8 * MIN } }, 42_000, NOW, { at: '09:30', new: 3 })).toBe(
      'next poll in 42s · 12 open · 2 overdue · next SLA deadline: #42 in 8m · last poll 09:30, 3 new',
    );
    expect(statusText({ open: 0, overdue: 0, nearest: null }, 5_000, NOW, null)).toBe('next poll in 5s · 0 open · no SLA deadline pending');
  });
});
