import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';
import { reportConfig, seedDatabase, type SeedMention } from '../report/fixture.js';

const HOSTILE_TEXTS = [
  'plain text about acme',
  'commas, "double quotes", and \'single\' ones',
  'line one\nline two\r\nline three',
  'emoji 😡📉 and a family 👨‍👩‍👧 and flags 🇬🇧',
  'RTL: שלום acme مرحبا',
  '=HYPERLINK("http://evil.example","click")',
  '+1 for acme',
  '-2+3',
  '@SUM(A1:A9)',
  '\tleading tab',
  '\rleading CR',
  '   =not at the start',
];

const MENTIONS: SeedMention[] = HOSTILE_TEXTS.map((text, i) => ({
  platform: i % 2 ? 'twitter' : 'facebook',
  createdAt: Date.parse('2026-11-09T08:00:00Z') + i * 3_600_000,
  respondedAfter: i % 3 === 0 ? null : 12 + i,
  fetchedAfter: 3,
  text,
  author: i === 5 ? '=cmd|calc' : `user${i}`,
  url: i === 6 ? '@evil' : `https://x.com/user${i}/status/${i}`,
  keyword: i === 7 ? '-acme' : 'acme',
  sentiment: i === 8 ? -0.75 : 0.5,
}));

let dir: string;
const env = { BRANDWATCH_NOW: '2026-11-20T12:00:00Z' };
const cli = (...args: string[]) => runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { env });

beforeAll(async () => {
  dir = tempDir();
  writeConfig(dir, reportConfig());
  await seedDatabase(join(dir, 'bw.db'), MENTIONS);
});

function dbRows() {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM mentions ORDER BY created_at').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

const unneutralize = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

describe('export --what mentions', () => {
  it('round-trips through a CSV parser to the database rows, formulas neutralised', async () => {
    const result = await cli('export', '--week', '2026-W46');
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(result.stdout, { columns: true }) as Record<string, string>[];
    const stored = dbRows();
    expect(rows).toHaveLength(HOSTILE_TEXTS.length);
    expect(Object.keys(rows[0]!)).toEqual([
      'id', 'platform', 'url', 'author', 'followers', 'created_at', 'first_response_at', 'frt_minutes',
      'detection_lag_minutes', 'status', 'category', 'sentiment', 'keyword', 'sla', 'text',
      'channel', 'private_at', 'first_private_response_at', 'first_private_answer_minutes', 'resolved_at', 'resolution_minutes',
    ]);
    rows.forEach((row, i) => {
      const db = stored[i]!;
      expect(Number(row.id)).toBe(db.id);
      expect(unneutralize(row.text!)).toBe(db.text);
      expect(unneutralize(row.author!)).toBe(db.author_handle);
      expect(unneutralize(row.url!)).toBe(db.url);
      expect(unneutralize(row.keyword!)).toBe(db.keyword);
      expect(Date.parse(row.created_at!)).toBe(db.created_at);
      expect(row.first_response_at === '' ? null : Date.parse(row.first_response_at!)).toBe(db.first_response_at);
      expect(row.frt_minutes === '' ? null : Number(row.frt_minutes)).toBe(
        db.first_response_at === null ? null : ((db.first_response_at as number) - (db.created_at as number)) / 60_000,
      );
      expect(Number(row.detection_lag_minutes)).toBe(3);
      expect(Number(row.sentiment)).toBe(db.sentiment);
      for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+@\t\r]|^-(?!\d)/);
    });
    expect(rows[5]!.text).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(rows[5]!.author).toBe("'=cmd|calc");
    expect(rows[8]!.sentiment).toBe('-0.75');
    expect(rows[11]!.text).toBe('   =not at the start');
    expect(rows.map((r) => r.sla)).toContain('breached');
    expect(result.stdout.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('multi-line posts stay in their row for a reader that ends rows at any CR or LF (as spreadsheets do)', async () => {
    const result = await cli('export', '--week', '2026-W46');
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(result.stdout, { columns: true, record_delimiter: ['\r\n', '\n', '\r'] }) as Record<string, string>[];
    expect(rows).toHaveLength(HOSTILE_TEXTS.length);
    expect(rows.map((r) => unneutralize(r.text!))).toEqual(dbRows().map((r) => r.text));
  });

  it('writes a file with a BOM for Excel when asked, and nothing else on stdout', async () => {
    const out = join(dir, 'week.csv');
    const result = await cli('export', '--week', '2026-W46', '--out', out, '--bom');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`12 mentions (2026-W46 (2026-11-09 – 2026-11-15)) written to ${out}`);
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows).toHaveLength(12);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('exports an empty period as the header alone', async () => {
    const result = await cli('export', '--week', '2026-W40');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('id,platform,url,author,followers,created_at,first_response_at,frt_minutes,detection_lag_minutes,status,category,sentiment,keyword,sla,text,channel,private_at,first_private_response_at,first_private_answer_minutes,resolved_at,resolution_minutes');
  });

  it('fails cleanly when the output folder does not exist', async () => {
    const out = join(dir, 'missing', 'week.csv');
    const result = await cli('export', '--week', '2026-W46', '--out', out);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^brandwatch: --out: cannot write .*week\.csv \(ENOENT\); choose a file in a folder you can write\n$/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('export --what summary', () => {
  it('has one row per platform per day with the report figures', async () => {
    const result = await cli('export', '--week', '2026-W46', '--what', 'summary');
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(result.stdout, { columns: true }) as Record<string, string>[];
    const report = JSON.parse((await cli('report', '--week', '2026-W46', '--json')).stdout);
    expect(rows.map((r) => `${r.day} ${r.platform}`)).toEqual(['2026-11-09 facebook', '2026-11-09 twitter']);
    const twitter = rows[1]!;
    const figures = report.platforms.find((p: { platform: string }) => p.platform === 'twitter');
    expect(Number(twitter.mentions)).toBe(figures.mentions);
    expect(Number(twitter.responded)).toBe(figures.responded);
    expect(Number(twitter.response_rate)).toBe(figures.responseRate);
    expect(Number(twitter.frt_p50_minutes)).toBe(figures.frt.p50Minutes);
    expect(Number(twitter.sla_met_share)).toBe(figures.sla.attainment);
    expect(twitter.clock).toBe('calendar');
  });

  it('rejects an unknown --what', async () => {
    const result = await cli('export', '--what', 'everything');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--what: "everything" is not an export (use mentions or summary)');
  });
});
