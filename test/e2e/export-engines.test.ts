import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { forEachEngine } from '../helpers/engines.js';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';
import { reportConfig, seedDatabase, type SeedMention } from '../report/fixture.js';
import { openStore } from '../../src/store/open.js';

/*
 * The same mentions exported from either engine give the same bytes (UTC, calendar clock; SLA twitter 30 min,
 * facebook 2 h, DMs the public target; now Sunday 2026-11-15 20:00):
 * 1 answered after 10 min, fetched after 5 (met); its follow-up 2 answered 20 min after it;
 * 3 on facebook answered after 180 min, fetched after 200 (lag capped at 180; breached);
 * 4 a DM taken private after 5 min, answered privately 12 min later, resolved after 90 (no public reply: breached);
 * 5 unanswered 10 min before now (pending); 6 after the week.
 */
const MENTIONS: SeedMention[] = [
  { platform: 'twitter', createdAt: '2026-11-09T10:00:00Z', respondedAfter: 10, text: 'line one\nline two, "quoted"', author: '=cmd', sentiment: 0.5 },
  { platform: 'twitter', createdAt: '2026-11-09T10:30:00Z', threadOf: 1, status: 'replied', respondedAfter: 20 },
  { platform: 'facebook', createdAt: '2026-11-09T11:00:00Z', respondedAfter: 180, fetchedAfter: 200, url: null, keyword: '-acme', sentiment: -0.75, category: 'complaint' },
  { platform: 'twitter', createdAt: '2026-11-10T08:00:00Z', status: 'resolved', text: 'my order number is 12345' },
  { platform: 'twitter', createdAt: '2026-11-15T19:50:00Z', text: '+1 for acme', category: null },
  { platform: 'twitter', createdAt: '2026-11-16T00:00:00Z' },
];
const MIN = 60_000;
const DM_AT = Date.parse('2026-11-10T08:00:00Z');

const HEADER =
  'id,platform,url,author,followers,created_at,first_response_at,frt_minutes,detection_lag_minutes,status,category,sentiment,keyword,sla,text,' +
  'channel,private_at,first_private_response_at,first_private_answer_minutes,resolved_at,resolution_minutes';
const rows = (dmText: string) => [
  `1,twitter,https://x.com/user0/status/1000,'=cmd,100,2026-11-09T10:00:00+00:00,2026-11-09T10:10:00+00:00,10,5,replied,question,0.5,acme,met,"line one\nline two, ""quoted""",public,,,,,`,
  '2,twitter,https://x.com/user1/status/1001,user1,100,2026-11-09T10:30:00+00:00,2026-11-09T10:50:00+00:00,20,5,replied,question,,acme,met,mention 1 of acme,public,,,,,',
  "3,facebook,,user2,100,2026-11-09T11:00:00+00:00,2026-11-09T14:00:00+00:00,180,180,replied,complaint,-0.75,'-acme,breached,mention 2 of acme,public,,,,,",
  `4,twitter,https://x.com/user3/status/1003,user3,100,2026-11-10T08:00:00+00:00,,,5,resolved,question,,acme,breached,${dmText},dm,2026-11-10T08:05:00+00:00,2026-11-10T08:17:00+00:00,12,2026-11-10T09:30:00+00:00,90`,
  "5,twitter,https://x.com/user4/status/1004,user4,100,2026-11-15T19:50:00+00:00,,,5,new,,,acme,pending,'+1 for acme,public,,,,,",
];
const csv = (dmText: string) => [HEADER, ...rows(dmText), ''].join('\r\n');

let dir: string;
let db: string;
const cli = (...args: string[]) => runCommand(['--config', join(dir, 'config.yml'), '--db', db, ...args], { env: { BRANDWATCH_NOW: '2026-11-15T20:00:00Z' } });

forEachEngine('export --what mentions', (engine) => {
  beforeAll(async () => {
    dir = tempDir();
    db = engine.kind === 'sqlite' ? join(dir, 'bw.db') : await engine.freshLocation();
    writeConfig(dir, reportConfig());
    await seedDatabase(db, MENTIONS);
    const store = await openStore(db);
    try {
      await store.db.run(`UPDATE mentions SET channel = 'dm', private_at = ?, first_private_response_at = ?, resolved_at = ? WHERE id = 4`, [
        DM_AT + 5 * MIN,
        DM_AT + 17 * MIN,
        DM_AT + 90 * MIN,
      ]);
    } finally {
      await store.close();
    }
  });

  describe('the same bytes on either engine', () => {
    it('to stdout, a direct message without its text', async () => {
      const result = await cli('export', '--week', '2026-W46');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(csv(''));
    });

    it('to a file, with a BOM and the direct message text', async () => {
      const out = join(dir, 'mentions.csv');
      const result = await cli('export', '--week', '2026-W46', '--bom', '--include-private', '--out', out);
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(`\ufeff${csv('my order number is 12345')}`);
    });
  });
});
