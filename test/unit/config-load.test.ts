import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { starterConfig } from '../../src/config/template.js';

const base = `brand: Acme
keywords:
  - term: acme
sources:
  - platform: twitter
    bearerTokenEnv: TWITTER_BEARER_TOKEN
`;

function problem(text: string): string {
  try {
    parseConfig(text, 'c.yml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('parseConfig', () => {
  it('accepts a minimal config and fills defaults', () => {
    const { config } = parseConfig(base, 'c.yml');
    const source = config.sources[0]!;
    expect(source.platform).toBe('twitter');
    if (source.platform !== 'twitter') throw new Error('unreachable');
    expect(source.queryLengthLimit).toBe(512);
    expect(source.timeout).toBe(30_000);
    expect(source.retry).toEqual({ attempts: 3, baseDelay: 1000 });
    expect(config.keywords).toEqual([{ term: 'acme', exclude: [] }]);
    expect(config.sla).toEqual({ default: 86_400_000 });
  });

  it('accepts plain-string keywords and SLA durations', () => {
    const { config } = parseConfig(`${base}sla:\n  twitter: 30m\n  default: 1d\n`.replace('  - term: acme', '  - acme'), 'c.yml');
    expect(config.keywords[0]).toEqual({ term: 'acme', exclude: [] });
    expect(config.sla).toEqual({ twitter: 1_800_000, default: 86_400_000 });
  });

  it.each([
    ['a YAML syntax error', 'brand: [Acme\nkeywords: x\n', /^c\.yml:\d+: YAML syntax error: /],
    ['an unknown key with its line', `${base}colour: blue\n`, /^c\.yml:7: colour: unknown key/],
    ['an unknown key inside a source', base.replace('    bearerTokenEnv', '    bearerToken: abc\n    bearerTokenEnv'), /^c\.yml:6: sources\[0\]\.bearerToken: unknown key/],
    ['a bad duration', `${base}sla:\n  twitter: soon\n`, /^c\.yml:8: sla\.twitter: "soon" is not a duration/],
    ['a bad DM target', `${base}sla:\n  dm:\n    twitter: soon\n`, /^c\.yml:9: sla\.dm\.twitter: "soon" is not a duration/],
    ['a wrong type', base.replace('brand: Acme', 'brand: 42'), /^c\.yml:1: brand: /],
    ['a missing key', base.replace('brand: Acme\n', ''), /^c\.yml:\d+: brand: is required/],
    ['an unknown platform', base.replace('platform: twitter', 'platform: myspace'), /sources\[0\]\.platform: unknown platform \(use one of: twitter, sample/],
    ['a secret pasted where a variable name belongs', base.replace('TWITTER_BEARER_TOKEN', 'AAAA%2Fxyz=='), /bearerTokenEnv: must be the NAME of an environment variable/],
    ['an unknown time zone', `timezone: Mars/Olympus\n${base}`, /^c\.yml:1: timezone: is not a known IANA time zone/],
    ['no keywords', base.replace('  - term: acme\n', '').replace('keywords:\n', 'keywords: []\n'), /keywords: list at least one keyword/],
    ['an http API URL', `${base}    apiBaseUrl: http://127.0.0.1:9\n`, /apiBaseUrl: must be an https:\/\/ URL/],
    ['two sources with one name', `${base}  - platform: twitter\n    bearerTokenEnv: OTHER\n`, /a second twitter source needs its own `name`/],
    ['an empty file', '', /the config file is empty/],
  ])('reports %s on one line', (_, text, expected) => {
    const message = problem(text);
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('counts further problems', () => {
    expect(problem(`${base}colour: blue\nsize: 3\n`)).toMatch(/and 1 more problem\)$/);
  });
});

describe('starterConfig', () => {
  it.each([
    { brand: 'Acme', keywords: ['acme', '@acme_help'], twitterHandle: 'acme_help', timezone: 'Europe/London' },
    { brand: "O'Brien: \"Quotes\" & Co", keywords: ['o brien', '#obrien'] },
    { brand: 'Fernhill', keywords: [{ term: 'fernhill', exclude: ['fernhill trail'] }], demo: { start: '2026-11-01T00:00:00.000Z' } },
  ])('writes a config that loads back (%o)', (options) => {
    const { config } = parseConfig(starterConfig(options), 'starter.yml');
    expect(config.brand).toBe(options.brand);
    expect(config.keywords.map((k) => k.term)).toEqual(options.keywords.map((k) => (typeof k === 'string' ? k : k.term)));
  });
});
