import { beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { configText } from '../helpers/config.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess, scriptedPrompter, type InProcessOptions } from '../helpers/run.js';
import { displayWidth } from '../../src/io/width.js';
import { expandJsonFields } from '../../src/cli/json-fields.js';
import { FOOTER } from '../../src/cli/commands/triage.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const START = '2026-11-06T12:00:00Z';

let dir: string;
const run = (args: string[], options: InProcessOptions = {}) =>
  runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { now: NOW, ...options });

function db(): Database.Database {
  return new Database(join(dir, 'bw.db'));
}

function one<T>(sql: string, ...params: unknown[]): T {
  const d = db();
  try {
    return d.prepare(sql).get(...params) as T;
  } finally {
    d.close();
  }
}

const HOSTILE_WIDTH = [
  ['a_really_long_handle_that_goes_on_and_on_and_on_forever_and_ever', 'Fernhill 🚀🚀 down again?! 👨‍👩‍👧 family of four offline 😡😡😡 since this morning, nobody answers'],
  ['数据分析师_小王', 'Fernhill 的宽带又断了，东京都渋谷区でも同じ問題があります。한국어 텍스트도 있어요 — 全角ＡＢＣ'],
  ['emoji_fan', '🇬🇧🇬🇧🇬🇧 Fernhill ❤️❤️❤️ best broadband in Britain 👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽'],
];

beforeEach(async () => {
  dir = tempDir();
  writeFileSync(
    join(dir, 'config.yml'),
    configText({
      brand: 'Fernhill',
      keywords: ['fernhill', '@fernhill_help'],
      ownAccounts: { sample: 'fernhill_help' },
      sources: [{ platform: 'sample', start: START, ratePerHour: 2 }],
      extra: 'sla:\n  sample: 1h\n  default: 24h\ntemplates:\n  thanks: "Thank you @{author}!"',
    }),
    { mode: 0o600 },
  );
  expect((await run(['poll', '-q'])).code).toBe(0);
  // Long handles, emoji and CJK on the three most urgent open items.
  const d = db();
  const ids = d.prepare("SELECT id FROM mentions WHERE status = 'new' AND thread_id IS NULL ORDER BY priority DESC, created_at LIMIT 3").all() as { id: number }[];
  for (const [i, [handle, text]] of HOSTILE_WIDTH.entries()) d.prepare('UPDATE mentions SET author_handle = ?, text = ? WHERE id = ?').run(handle, text, ids[i]!.id);
  d.close();
});

describe('terminal output that fits', () => {
  it.each([80, 120, 200])('list, report, alerts and show at %i columns: every line within the width', async (columns) => {
    const shown = one<{ id: number }>('SELECT id FROM mentions ORDER BY length(text) DESC LIMIT 1').id;
    for (const args of [['list', '--status', 'all', '--limit', '40'], ['list'], ['report', '--since', '14d'], ['alerts'], ['show', String(shown)]]) {
      const result = await run(args, { tty: true, columns });
      expect(result.code, result.stderr).toBe(0);
      // A hint's command line is never cut (the terminal folds it; a copy stays whole).
      for (const line of result.stdout.split('\n').filter((l) => !l.startsWith('All of them: '))) expect(displayWidth(line), `${args.join(' ')}: ${line}`).toBeLessThanOrEqual(columns);
    }
  });

  it('list on a terminal: gh-style header, priority level and score, SLA due in / over by, relative ages, "showing N of M" on stderr', async () => {
    const result = await run(['list', '--status', 'all', '--limit', '10'], { tty: true, columns: 120 });
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^\s*ID {2}PRIORITY\s+SLA\s+AGE\s+PLATFORM\s+AUTHOR\s+STATUS\s+CATEGORY\s+TEXT$/);
    expect(result.stdout).not.toMatch(/[┌│─└]/);
    expect(rows).toHaveLength(10);
    expect(result.stdout).toMatch(/(urgent|high|normal|low) +\d+/);
    expect(result.stdout).toMatch(/(due in|over by) \d/);
    expect(result.stdout).toMatch(/\d+(m|h|d) ago/);
    expect(result.stdout).not.toMatch(/2026-11-\d\dT/);
    const total = one<{ n: number }>('SELECT count(*) AS n FROM mentions WHERE thread_id IS NULL').n;
    expect(result.stderr).toContain(`showing 10 of ${total}`);
    // Piped: the same rows, tab-separated with RFC 3339 times, nothing on stderr.
    const piped = await run(['list', '--status', 'all', '--limit', '10']);
    expect(piped.stdout.split('\n')[0]).toMatch(/^\d+\tsample\t2026-11-\d\dT\d\d:\d\d:\d\d/);
    expect(piped.stderr).toBe('');
  });

  it('the triage footer fits 80 columns and ? lists every key', async () => {
    expect(FOOTER.length).toBeLessThanOrEqual(80);
    const prompter = scriptedPrompter(['?', 'q']);
    const result = await run(['triage'], { tty: true, columns: 80, prompter });
    expect(result.code, result.stderr).toBe(0);
    for (const key of ['r', 't', 'p', 'd', 'i', 's', 'c', 'n', 'o', 'k', 'u', 'q', '?']) expect(result.stdout).toMatch(new RegExp(`^  ${key.replace('?', '\\?')}  `, 'm'));
    for (const line of result.stdout.split('\n').slice(0, 8)) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  });

  it('the report hint carries the --config and --db in use', async () => {
    const result = await run(['report', '--since', '14d'], { tty: true, columns: 120 });
    expect(result.stdout).toContain(`All of them: brandwatch --config ${join(dir, 'config.yml')} --db ${join(dir, 'bw.db')} list --breached --since`);
  });
});

describe('search and filters', () => {
  const ids = (stdout: string) => (JSON.parse(stdout) as { id: number }[]).map((m) => m.id);

  it('--search finds words in the text through the FTS index, kept in step by the store', async () => {
    const found = await run(['list', '--status', 'all', '--search', 'wifi password', '--json']);
    expect(found.code, found.stderr).toBe(0);
    const texts = (JSON.parse(found.stdout) as { text: string }[]).map((m) => m.text.toLowerCase());
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text).toMatch(/wifi.*password|password.*wifi/);
    // An edited text is found by its new words (the update trigger).
    const d = db();
    const id = (d.prepare('SELECT id FROM mentions ORDER BY id LIMIT 1').get() as { id: number }).id;
    d.prepare('UPDATE mentions SET text = ? WHERE id = ?').run('Fernhill zebracrossing', id);
    d.close();
    expect(ids((await run(['list', '--status', 'all', '--search', 'zebra', '--json'])).stdout)).toEqual([id]);
    // FTS syntax in the words is only text.
    expect((await run(['list', '--search', 'NEAR("a" OR', '--json'])).code).toBe(0);
  });

  it('--category, --author, --keyword, --min-priority narrow the list', async () => {
    const complaints = JSON.parse((await run(['list', '--status', 'all', '--category', 'complaint,problem', '--json'])).stdout) as { category: string }[];
    expect(complaints.length).toBeGreaterThan(0);
    expect(new Set(complaints.map((m) => m.category))).toEqual(new Set(['complaint', 'problem'].filter((c) => complaints.some((m) => m.category === c))));
    const handle = one<{ h: string }>('SELECT author_handle AS h FROM mentions ORDER BY id LIMIT 1').h;
    const byAuthor = JSON.parse((await run(['list', '--status', 'all', '--author', `@${handle.toUpperCase()}`, '--json'])).stdout) as { author: { handle: string } }[];
    expect(byAuthor.length).toBeGreaterThan(0);
    for (const m of byAuthor) expect(m.author.handle).toBe(handle);
    const keyword = JSON.parse((await run(['list', '--status', 'all', '--keyword', '@fernhill_help', '--json'])).stdout) as { keywords: string[] }[];
    for (const m of keyword) expect(m.keywords).toContain('@fernhill_help');
    const high = JSON.parse((await run(['list', '--status', 'all', '--min-priority', 'high', '--json'])).stdout) as { priority: number }[];
    for (const m of high) expect(m.priority).toBeGreaterThanOrEqual(50);
  });

  it.each([
    [['list', '--platform', 'bogus'], /--platform: "bogus" is not a platform \(use .*sample.*twitter/],
    [['triage', '--platform', 'bogus'], /--platform: "bogus" is not a platform/],
    [['list', '--category', 'rant'], /--category: "rant" is not a category \(use question, complaint/],
    [['triage', '--category', 'rant'], /is not a category/],
    [['list', '--status', 'closed'], /--status: "closed" is not a status \(use new, open/],
    [['list', '--min-priority', 'extreme'], /use low, normal, high, urgent/],
    [['list', '--keyword', 'nope'], /not a configured keyword \(use fernhill, @fernhill_help\)/],
    [['list', '--json', '--fields', 'id,nope'], /"nope" is not a field \(use id, platform/],
  ])('%j is exit 2 naming the valid ones', async (args, message) => {
    const result = await run(args, { tty: args[0] === 'triage', prompter: scriptedPrompter([]) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).not.toMatch(/Inbox clear/);
  });

  it('triage works only the filtered items, and says so when none are left', async () => {
    const prompter = scriptedPrompter(['k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k']);
    const result = await run(['triage', '--search', 'zzzznothing'], { tty: true, prompter });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/No open items match these filters/);
    expect(prompter.asked).toEqual([]);
  });

  it('list --json takes a field list as gh does; plain --json keeps every field', async () => {
    for (const args of [['list', '--json', 'id,text,priority'], ['list', '--json=id,text,priority'], ['--json', 'list', '--fields', 'id,text,priority']]) {
      const result = await run(args);
      expect(result.code, result.stderr).toBe(0);
      const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(Object.keys(row)).toEqual(['id', 'text', 'priority']);
    }
    const full = JSON.parse((await run(['list', '--json'])).stdout) as Record<string, unknown>[];
    expect(Object.keys(full[0]!)).toEqual(expect.arrayContaining(['id', 'author', 'text', 'priority', 'priorityLevel', 'slaDeadline', 'createdAt']));
    expect(full[0]!.slaDeadline).toMatch(/^2026-11-\d\dT\d\d:\d\d:\d\d/);
  });

  it('the --json field list is recognised only when every word is a field', () => {
    expect(expandJsonFields(['list', '--json', 'id,text'])).toEqual(['list', '--json', '--fields', 'id,text']);
    expect(expandJsonFields(['--json', 'list'])).toEqual(['--json', 'list']);
    expect(expandJsonFields(['show', '--json', '5'])).toEqual(['show', '--json', '5']);
    expect(expandJsonFields(['list', '--json=id'])).toEqual(['list', '--json', '--fields', 'id']);
    expect(expandJsonFields(['post', '--', '--json', 'id'])).toEqual(['post', '--', '--json', 'id']);
  });
});

describe('the reply composer and drafts', () => {
  const openItem = () => one<{ id: number; author_handle: string }>("SELECT id, author_handle FROM mentions WHERE status = 'new' AND thread_id IS NULL ORDER BY priority DESC, created_at LIMIT 1");

  it('a cancelled reply stays as the draft, is shown next time, fills the composer, and goes once sent', async () => {
    const first = scriptedPrompter(['r', '<esc>', 'q']);
    // The composer starts empty; Esc keeps what was typed — here the script types nothing, so type via the editor.
    const editor = () => 'Sorry about that — we are looking into it now.';
    const typed = scriptedPrompter(['r', '<editor>', '<esc>', 'q']);
    let result = await run(['triage'], { tty: true, prompter: typed, editor });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/draft kept for #\d+/);
    const item = one<{ mention_id: number; text: string }>('SELECT mention_id, text FROM drafts');
    expect(item.text).toBe('Sorry about that — we are looking into it now.');
    // Next session: the draft shows under the item and fills the composer.
    const shown = scriptedPrompter(['q']);
    result = await run(['triage'], { tty: true, prompter: shown });
    expect(result.stdout).toMatch(/draft \(just now\): Sorry about that/);
    const asked: string[] = [];
    const send = scriptedPrompter(['r', 'Sorry about that — fixed now.', 'y', 'q']);
    const spy = { ...send, compose: async (q: Parameters<typeof send.compose>[0]) => (asked.push(q.initial ?? ''), send.compose(q)) };
    result = await run(['triage'], { tty: true, prompter: spy });
    expect(result.code, result.stderr).toBe(0);
    expect(asked[0]).toBe('Sorry about that — we are looking into it now.');
    expect(one<{ n: number }>('SELECT count(*) AS n FROM drafts').n).toBe(0);
    void first;
  });

  it('a too-long reply is refused with the count and returns to the composer with the text', async () => {
    const long = 'x'.repeat(600);
    const seen: string[] = [];
    const base = scriptedPrompter(['r', long, '<esc>', 'q']);
    const prompter = { ...base, compose: async (q: Parameters<typeof base.compose>[0]) => (seen.push(q.initial ?? ''), base.compose(q)) };
    const result = await run(['triage'], { tty: true, prompter });
    expect(result.stdout).toMatch(/too long: 600\/500 .* shorten it by 100; nothing was sent/);
    expect(seen[1]).toBe(long);
    expect(one<{ text: string }>('SELECT text FROM drafts').text).toBe(long);
  });

  it('a "no" at Send? keeps the draft', async () => {
    const prompter = scriptedPrompter(['r', 'Hello there', 'x', 'q']);
    const result = await run(['triage'], { tty: true, prompter });
    expect(result.stdout).toMatch(/not sent; the draft is kept/);
    expect(one<{ text: string }>('SELECT text FROM drafts').text).toBe('Hello there');
  });

  it('templates fill the composer', async () => {
    const seen: string[] = [];
    const base = scriptedPrompter(['t', '1', '<esc>', 'q']);
    const prompter = { ...base, compose: async (q: Parameters<typeof base.compose>[0]) => (seen.push(q.initial ?? ''), base.compose(q)) };
    await run(['triage'], { tty: true, prompter });
    expect(seen[0]).toMatch(/^Thank you @/);
  });

  it('replying again to a mention we answered shows our reply and asks', async () => {
    const item = openItem();
    expect((await run(['reply', String(item.id), '--text', 'First answer'])).code).toBe(0);
    expect((await run(['mark', String(item.id), 'open'])).code).toBe(0);
    const prompter = scriptedPrompter(['x', 'q']);
    const later = NOW + 3 * 60_000;
    const result = await run(['triage', '--author', item.author_handle], { tty: true, prompter, now: later });
    void result;
    const prompter2 = scriptedPrompter(['r', 'x', 'q']);
    const again = await run(['triage', '--author', item.author_handle], { tty: true, prompter: prompter2, now: later });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/you replied 3m ago: First answer/);
    expect(prompter2.asked).toContain('Reply again?');
    expect(one<{ n: number }>("SELECT count(*) AS n FROM responses WHERE mention_id = ? AND via = 'brandwatch'", item.id).n).toBe(1);
  });

  it('reply without --text on a terminal opens the composer; --editor opens the editor', async () => {
    const item = openItem();
    const prompter = scriptedPrompter(['Thanks for flagging this!']);
    const result = await run(['reply', String(item.id)], { tty: true, prompter });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/replied to #\d+/);
    const other = one<{ id: number }>("SELECT id FROM mentions WHERE status = 'new' AND thread_id IS NULL ORDER BY id LIMIT 1");
    const edited = await run(['reply', String(other.id), '--editor'], { tty: true, prompter: scriptedPrompter([]), editor: () => 'Written in vi' });
    expect(edited.code, edited.stderr).toBe(0);
    expect(one<{ text: string }>("SELECT text FROM responses WHERE mention_id = ? AND via = 'brandwatch'", other.id).text).toBe('Written in vi');
    // Piped, --text is still required.
    expect((await run(['reply', String(other.id)])).code).toBe(2);
  });
});
