import { describe, expect, it } from 'vitest';
import { sharedDemo } from '../helpers/demo.js';

describe('demo', () => {
  it('ends with last week\'s report on the sample data', async () => {
    const { result } = await sharedDemo();
    expect(result.code, result.stderr).toBe(0);
    const report = result.stdout.slice(result.stdout.indexOf('Response-time report'));
    expect(result.stdout.indexOf('Inbox')).toBeLessThan(result.stdout.indexOf('Response-time report'));
    expect(report).toMatch(/^Response-time report — 2026-W46 \(2026-11-09 – 2026-11-15\)/);
    expect(report).toContain('Clock: calendar time (24/7)');
    // One row per sample platform: X, Mastodon, Bluesky and the Google Alerts feed.
    for (const platform of ['twitter', 'mastodon', 'bluesky', 'rss']) expect(report).toMatch(new RegExp(`^${platform}\\s+\\d+\\s+\\d+`, 'm'));
    expect(report).toContain('Europe/London');
    expect(report).toMatch(/Daily volume and median first response\nday .*\nMon 2026-11-09 /);
    // Threads: customers come back after our replies, and some get a next response.
    expect(report).toMatch(/\d+ follow-ups, \d+ answered; next-response time p50/);
    expect(report.trimEnd().split('\n').at(-1)).toMatch(/^Sun 2026-11-15 /);
    // It ends by naming three commands to try next, with the demo's config.
    expect(result.stderr).toMatch(/Next, try:\n  brandwatch --config \S+config\.yml triage .*\n  brandwatch --config \S+ list --search .*\n  brandwatch --config \S+ report /);
  }, 120_000);
});
