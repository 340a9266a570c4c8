import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { twitterSource } from '../../src/config/schema.js';
import { Backoff, X_BACKOFF } from '../../src/sources/stream.js';
import { planRules, ruleChanges, RULE_TAG_PREFIX, type StreamRule } from '../../src/sources/twitter/stream.js';
import { camelKeys } from '../../src/sources/mastodon/stream.js';
import { wanted } from '../../src/sources/bluesky/stream.js';

const x = (extra: Record<string, unknown> = {}) => twitterSource.parse({ platform: 'twitter', bearerTokenEnv: 'T', ...extra });

describe("X's documented reconnect backoff", () => {
  it('network errors linear from 250 ms to 16 s, HTTP errors exponential from 5 s to 320 s, 429 exponential from 1 minute', () => {
    const backoff = new Backoff(X_BACKOFF);
    expect(Array.from({ length: 66 }, () => backoff.next('network')).filter((_, i) => [0, 1, 2, 63, 64, 65].includes(i))).toEqual([250, 500, 750, 16_000, 16_000, 16_000]);
    expect(Array.from({ length: 8 }, () => backoff.next('http'))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 320_000]);
    expect(Array.from({ length: 3 }, () => backoff.next('rate_limited'))).toEqual([60_000, 120_000, 240_000]);
    backoff.reset();
    expect([backoff.next('network'), backoff.next('http'), backoff.next('rate_limited')]).toEqual([250, 5_000, 60_000]);
  });
});

describe('filtered-stream rules', () => {
  it('come from the query planner within the rule length, tagged with the group key, plus the own-replies rule', () => {
    const rules = planRules({ config: x(), keywords: [{ term: 'acme', exclude: ['anvil museum'] }, { term: '@acme_help', exclude: [] }], ownHandles: ['acme_help'] });
    expect(rules.map((r) => [r.value, r.tag.startsWith(RULE_TAG_PREFIX)])).toEqual([
      ['((acme -"anvil museum") OR @acme_help) -is:retweet -from:acme_help', true],
      ['from:acme_help is:reply', true],
    ]);
  });

  it('refuse a keyword set that needs more rules than the app may hold, naming the fix', () => {
    const keywords = ['alpha', 'beta', 'gamma'].map((term) => ({ term: `${term} ${'x'.repeat(60)}`, exclude: [] }));
    expect(() => planRules({ config: x({ ruleLengthLimit: 100, ruleLimit: 2, nativeReplies: false }), keywords, ownHandles: [] })).toThrow(/need 3 filtered-stream rules; the app may hold 2 \(ruleLimit\)/);
  });

  const rule = fc.record({ value: fc.constantFrom('a', 'b', 'c', 'd'), tag: fc.constantFrom(`${RULE_TAG_PREFIX}1`, `${RULE_TAG_PREFIX}2`, 'other-tool') });

  it('sync to exactly the wanted rules, once each, never touching other tools\' rules', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 8 }), fc.uniqueArray(rule.filter((r) => r.tag !== 'other-tool'), { selector: (r) => `${r.tag}|${r.value}`, maxLength: 4 }), (existingRaw, wantedRaw) => {
        const existing = existingRaw.map((r, i) => ({ id: String(i), ...r }));
        const wantedRules: StreamRule[] = wantedRaw.map((r) => ({ ...r, keywords: [] }));
        const { add, remove } = ruleChanges(wantedRules, existing);
        const after = [...existing.filter((r) => !remove.includes(r.id)), ...add.map((r, i) => ({ id: `new${i}`, value: r.value, tag: r.tag }))];
        const ours = after.filter((r) => r.tag.startsWith(RULE_TAG_PREFIX)).map((r) => `${r.tag}|${r.value}`).sort();
        expect(ours).toEqual(wantedRules.map((r) => `${r.tag}|${r.value}`).sort());
        expect(after.filter((r) => r.tag === 'other-tool')).toEqual(existing.filter((r) => r.tag === 'other-tool'));
        // Nothing already in place is added again.
        expect(add.filter((a) => existing.some((e) => e.tag === a.tag && e.value === a.value))).toEqual([]);
      }),
    );
  });
});

describe("Mastodon's snake_case entities", () => {
  it('become the camelCase the poll maps, keys only, at every depth', () => {
    expect(camelKeys({ created_at: 't', account: { display_name: 'A', followers_count: 2 }, media_attachments: [{ preview_url: 'u' }], content: 'a_b' })).toEqual({
      createdAt: 't',
      account: { displayName: 'A', followersCount: 2 },
      mediaAttachments: [{ previewUrl: 'u' }],
      content: 'a_b',
    });
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // Values are never changed, and converting twice changes nothing more.
        const once = camelKeys(value);
        expect(camelKeys(once)).toEqual(once);
        expect(JSON.stringify(values(once))).toBe(JSON.stringify(values(value)));
      }),
    );
  });
});

function values(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(values);
  if (v !== null && typeof v === 'object') return Object.values(v).map(values);
  return v;
}

describe('Jetstream posts worth storing', () => {
  const event = (text: string, did = 'did:plc:someone', facets: unknown[] = []) => ({ did, time_us: 1, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'r', record: { text, createdAt: '2026-01-01T00:00:00Z', facets } } });
  const keywords = [{ term: 'acme', exclude: ['anvil'] }];
  it.each([
    ['a keyword', event('my ACME router'), true],
    ['an excluded phrase only', event('acme anvil sale'), false],
    ['nothing of ours', event('hello world'), false],
    ['the brand handle', event('hi @acme.bsky.social'), true],
    ['a mention facet of the brand', event('hi there', 'did:plc:x', [{ features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:brand' }] }]), true],
    ["the brand's own post", event('thanks!', 'did:plc:brand'), true],
  ])('%s', (_, e, expected) => {
    expect(wanted(e, keywords, ['acme.bsky.social'], 'did:plc:brand')).toBe(expected);
  });
});
