import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run.js';
import { reportConfig, seedDatabase } from './fixture.js';

let dir: string;
const report = (...args: string[]) =>
  runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'report', '--since', '2026-11-16', '--until', '2026-11-23', '--by', 'person', ...args], {
    now: '2026-11-23T09:00:00Z',
  });

beforeAll(async () => {
  dir = tempDir();
  writeConfig(dir, reportConfig());
  // Kim answers two items in 10 and 20 minutes; Lee one in 40 (past the 30-minute SLA) and has one waiting;
  // one is answered on the platform itself; one waits on nobody.
  await seedDatabase(
    join(dir, 'bw.db'),
    [
      { platform: 'twitter', createdAt: '2026-11-17T10:00:00Z', respondedAfter: 10 },
      { platform: 'twitter', createdAt: '2026-11-17T11:00:00Z', respondedAfter: 40 },
      { platform: 'twitter', createdAt: '2026-11-18T09:00:00Z', respondedAfter: 20 },
      { platform: 'twitter', createdAt: '2026-11-18T10:00:00Z', assignedTo: 'lee' },
      { platform: 'twitter', createdAt: '2026-11-18T12:00:00Z' },
      { platform: 'twitter', createdAt: '2026-11-19T12:00:00Z', respondedAfter: 15, assignedTo: 'kim' },
      // Kim's follow-up reply after Lee's first one does not make the item hers.
      { platform: 'twitter', createdAt: '2026-11-20T08:00:00Z', respondedAfter: 5 },
    ],
    [
      { mentionId: 1, sentAt: '2026-11-17T10:10:00Z', actor: 'kim' },
      { mentionId: 2, sentAt: '2026-11-17T11:40:00Z', actor: 'lee' },
      { mentionId: 3, sentAt: '2026-11-18T09:20:00Z', actor: 'kim' },
      { mentionId: 6, sentAt: '2026-11-19T12:15:00Z', via: 'native' },
      { mentionId: 7, sentAt: '2026-11-20T08:05:00Z', actor: 'lee' },
      { mentionId: 7, sentAt: '2026-11-20T08:30:00Z', actor: 'kim' },
    ],
  );
});

describe('report --by person', () => {
  it("gives each person's first-response times and counts in JSON: who answered first, or who an open item waits on", async () => {
    const result = await report('--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    const groups = (JSON.parse(result.stdout) as { groupBy: string; groups: { key: string; mentions: number; responded: number; frt: { p50Minutes: number | null; meanMinutes: number | null }; sla: { met: number; breached: number; pending: number } }[] });
    expect(groups.groupBy).toBe('person');
    const by = Object.fromEntries(groups.groups.map((g) => [g.key, { mentions: g.mentions, responded: g.responded, p50: g.frt.p50Minutes, mean: g.frt.meanMinutes, met: g.sla.met, breached: g.sla.breached, pending: g.sla.pending }]));
    expect(by).toEqual({
      kim: { mentions: 2, responded: 2, p50: 10, mean: 15, met: 2, breached: 0, pending: 0 },
      lee: { mentions: 3, responded: 2, p50: 5, mean: 22.5, met: 1, breached: 2, pending: 0 },
      '(on the platform)': { mentions: 1, responded: 1, p50: 15, mean: 15, met: 1, breached: 0, pending: 0 },
      '(unassigned)': { mentions: 1, responded: 0, p50: null, mean: null, met: 0, breached: 1, pending: 0 },
    });
  });

  it('prints the same grouping as a table, one row per person', async () => {
    const result = await report();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/By person/);
    for (const person of ['kim', 'lee', '(on the platform)', '(unassigned)']) expect(result.stdout).toContain(person);
  });
});
