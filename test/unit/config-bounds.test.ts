import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { configText } from '../helpers/config.js';

function problem(text: string): string {
  try {
    parseConfig(text, 'c.yml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

const twitter = (keys: Record<string, string | number | boolean> = {}) => ({ platform: 'twitter', bearerTokenEnv: 'TWITTER_BEARER_TOKEN', ...keys });

describe('durations are bounded', () => {
  const refused: [string, Record<string, string>, RegExp][] = [
    ['a zero timeout', { timeout: '0s' }, /timeout: "0s" is out of range: use between 100ms and 10m/],
    ['a timeout past what a cron poll can wait', { timeout: '25d' }, /timeout: "25d" is out of range/],
    ['a rate-limit wait past the window', { rateLimitWait: '4w' }, /rateLimitWait: "4w" is out of range: use at most 15m/],
    ['a retry delay past Node timers', { retry: '{ attempts: 3, baseDelay: 30d }' }, /baseDelay: "30d" is out of range/],
  ];
  it.each(refused)('refuses %s with the key and the allowed range', (_, keys, message) => {
    expect(problem(configText({ sources: [{ ...twitter(), ...keys }] }))).toMatch(message);
  });

  it('refuses an SLA target of no time or of months', () => {
    expect(problem(configText({ sources: [twitter()], extra: 'sla:\n  twitter: 0s' }))).toMatch(/sla\.twitter: "0s" is out of range: use between 1m and 30d/);
    expect(problem(configText({ sources: [twitter()], extra: 'sla:\n  default: 400d' }))).toMatch(/sla\.default: "400d" is out of range/);
  });

  it('accepts the documented defaults and ordinary values', () => {
    const { config } = parseConfig(configText({ sources: [twitter({ timeout: '45s', rateLimitWait: '15m' })], extra: 'sla:\n  twitter: 30m' }), 'c.yml');
    expect(config.sources[0]!.timeout).toBe(45_000);
    expect(config.sla.twitter).toBe(1_800_000);
  });
});

describe('handles and keywords are checked against each platform grammar at load time', () => {
  it('refuses an X handle that would rewrite the query', () => {
    expect(problem(configText({ sources: [twitter()], ownAccounts: { twitter: '"acme_help) or (cats"' } }))).toMatch(/ownAccounts\.twitter: is not a twitter account name/);
  });
  it('refuses an unknown platform key in ownAccounts', () => {
    expect(problem(configText({ sources: [twitter()], ownAccounts: { twiter: 'acme_help' } }))).toMatch(/ownAccounts\.twiter: unknown platform/);
  });
  it('accepts each platform’s real handle forms', () => {
    const { config } = parseConfig(
      configText({ sources: [twitter()], ownAccounts: { twitter: '"@acme_help"', mastodon: 'acme@mastodon.social', bluesky: 'acme.bsky.social', reddit: 'acme-help' } }),
      'c.yml',
    );
    expect(Object.keys(config.ownAccounts)).toHaveLength(4);
  });
  it('refuses keywords of only spaces or quotes', () => {
    expect(problem(configText({ sources: [twitter()], keywords: ['   '] }))).toMatch(/keywords\[0\].*must contain a letter/);
    expect(problem(configText({ sources: [twitter()], keywords: ['""'] }))).toMatch(/must contain a letter/);
  });
});

describe('the config file itself', () => {
  it('refuses a FIFO at once instead of blocking', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-fifo-'));
    const fifo = join(dir, 'config.yml');
    execFileSync('mkfifo', [fifo]);
    expect(() => loadConfig(fifo)).toThrow(/not a regular file/);
  });
  it('refuses a device', () => {
    expect(() => loadConfig('/dev/zero')).toThrow(/not a regular file/);
  });
  it('refuses a file too large to be a config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-big-'));
    const path = join(dir, 'config.yml');
    writeFileSync(path, `brand: Acme\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    expect(() => loadConfig(path)).toThrow(/too large for a config file/);
  });
});
