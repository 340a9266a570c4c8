import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

describe('demo', () => {
  it('ends with last week\'s report on the sample data', async () => {
    const dir = tempDir();
    const result = await runCli(['demo', '--dir', join(dir, 'demo')], { env: { BRANDWATCH_NOW: '2026-11-22T09:00:00Z' } });
    expect(result.code, result.stderr).toBe(0);
    const report = result.stdout.slice(result.stdout.indexOf('Response-time report'));
    expect(result.stdout.indexOf('Inbox')).toBeLessThan(result.stdout.indexOf('Response-time report'));
    expect(report).toMatch(/^Response-time report — 2026-W46 \(2026-11-09 – 2026-11-15\)/);
    expect(report).toContain('Clock: calendar time (24/7)');
    expect(report).toMatch(/│ sample\s+│\s+\d+\s+│/);
    expect(report).toMatch(/Daily volume and median first response\nday .*\nMon 2026-11-09 /);
    expect(report.trimEnd().split('\n').at(-1)).toMatch(/^Sun 2026-11-15 /);
  });
});
