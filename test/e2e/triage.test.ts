import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { testCertificate } from '../fakes/tls.js';
import { runCommand, tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';
import { TerminalSession } from '../helpers/terminal.js';

let fake: FakeTwitter;
let dir: string;
let env: Record<string, string>;

function args(...rest: string[]): string[] {
  return ['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...rest];
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

beforeEach(async () => {
  fake = await new FakeTwitter().start();
  dir = tempDir();
  const { caFile } = await testCertificate();
  env = {
    TWITTER_BEARER_TOKEN: 'test-bearer-token',
    TWITTER_USER_TOKEN: 'test-user-token',
    BRANDWATCH_TWITTER_API_URL: fake.url,
    NODE_EXTRA_CA_CERTS: caFile,
    BRANDWATCH_ACTOR: 'dana',
  };
  writeConfig(
    dir,
    twitterConfig({ extra: 'userTokenEnv: TWITTER_USER_TOKEN' }) +
      'sla:\n  twitter: 30m\n  default: 24h\ntemplates:\n  thanks: "Thank you @{author}, from all of us at {brand}!"\n  take-private: "Sorry @{author}, please DM us your account number."\n',
  );
});

afterEach(async () => {
  await fake.stop();
});

describe('triage in a terminal', () => {
  it('works the queue most urgent first with single keys: reply, template, take private, category, undo, skip, resolve, spam', async () => {
    const now = Date.now();
    const outage = fake.addTweet('@acme_help is acme down? no internet since 9am', { author: 'kim', mentions: ['acme_help'], createdAt: new Date(now - 25 * 60_000) });
    const praise = fake.addTweet('@acme_help love my acme fibre, thanks!', { author: 'lee', mentions: ['acme_help'], createdAt: new Date(now - 60_000) });
    const charged = fake.addTweet('@acme_help acme charged me twice, I want a refund', { author: 'max', mentions: ['acme_help'], createdAt: new Date(now - 20 * 60_000) });
    const spam = fake.addTweet('acme followers, get rich quick at scam dot example', { author: 'bot', createdAt: new Date(now - 2 * 60_000) });
    expect((await runCommand(args('poll'), { env })).code).toBe(0);
    const id = (t: { id: string }) => query<{ id: number }>('SELECT id FROM mentions WHERE external_id = ?', t.id)[0]!.id;

    const session = new TerminalSession(args('triage'), env);
    try {
      // Most urgent first: the outage near its 30-minute SLA.
      await session.waitFor(new RegExp(`#${id(outage)} twitter · (urgent|high)`));
      await session.waitFor(/q quit  \? more/);
      session.type('r');
      await session.waitFor(/Enter done/);
      session.type("Hi Kim, engineers are on it; DM us your postcode\r");
      await session.waitFor(/Send\?/);
      session.type('y');
      await session.waitFor(/sent https:\/\/x\.com\/acme_help\/status\/\d+/);

      await session.waitFor(new RegExp(`#${id(charged)} twitter`));
      session.type('c');
      await session.waitFor(/Category:/);
      session.type('3');
      await session.waitFor(/category → problem \(kept from now on\)/);
      session.type('u');
      await session.waitFor(/category back to complaint/);
      // take private: the public "please DM us" is an optional first step.
      session.type('p');
      await session.waitFor(/answer @max in public first\?/);
      session.type('y');
      await session.waitFor(/Reply to @max on X — \d+\/280: Sorry @max, please DM us your account number\./);
      session.type('y');
      await session.waitFor(new RegExp(`#${id(spam)} twitter|#${id(praise)} twitter`));
      const nextScreen = session.screen.slice(session.screen.lastIndexOf('Send? send'));
      const spamFirst = nextScreen.indexOf(`#${id(spam)} `) >= 0 && (nextScreen.indexOf(`#${id(praise)} `) < 0 || nextScreen.indexOf(`#${id(spam)} `) < nextScreen.indexOf(`#${id(praise)} `));
      if (spamFirst) {
        session.type('s');
        await session.waitFor(new RegExp(`#${id(spam)} → spam`));
        await session.waitFor(new RegExp(`#${id(praise)} twitter`));
        session.type('k');
      } else {
        session.type('k');
        await session.waitFor(new RegExp(`#${id(spam)} twitter`));
        session.type('s');
        await session.waitFor(new RegExp(`#${id(spam)} → spam`));
      }
      await session.waitFor(/Nothing left but the 1 you skipped/);
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }

    const status = (t: { id: string }) => query<{ status: string; category: string; category_manual: number }>('SELECT status, category, category_manual FROM mentions WHERE id = ?', id(t))[0]!;
    expect(status(outage).status).toBe('replied');
    expect(status(charged)).toMatchObject({ status: 'private', category: 'complaint', category_manual: 0 });
    expect(status(spam).status).toBe('spam');
    expect(status(praise).status).toBe('open');
    expect(fake.postRequests.map((r) => JSON.parse(r.body))).toEqual([
      { text: 'Hi Kim, engineers are on it; DM us your postcode', reply: { in_reply_to_tweet_id: outage.id } },
      { text: 'Sorry @max, please DM us your account number.', reply: { in_reply_to_tweet_id: charged.id } },
    ]);
    const history = query<{ kind: string; old_value: string; new_value: string; actor: string }>(
      'SELECT kind, old_value, new_value, actor FROM events WHERE mention_id = ? ORDER BY id',
      id(charged),
    );
    expect(history).toEqual([
      { kind: 'status', old_value: 'new', new_value: 'open', actor: 'dana' },
      { kind: 'category', old_value: 'complaint', new_value: 'problem', actor: 'dana' },
      { kind: 'category', old_value: 'problem', new_value: 'complaint', actor: 'dana (undo)' },
      { kind: 'response', old_value: null, new_value: fake.created[1]!.id, actor: 'dana' },
      { kind: 'status', old_value: 'open', new_value: 'replied', actor: 'dana' },
      { kind: 'status', old_value: 'replied', new_value: 'private', actor: 'dana' },
    ]);

    // A new session resumes with what is left.
    const again = new TerminalSession(args('triage'), env);
    try {
      await again.waitFor(new RegExp(`#${id(praise)} twitter`));
      session.type('q');
      again.type('q');
      expect(await again.exited).toBe(0);
    } finally {
      again.kill();
    }
  });

  it('says when X will not take an API reply and offers the web link instead', async () => {
    fake.addTweet('acme wifi dead in Leeds', { author: 'noor' });
    await runCommand(args('poll'), { env });
    const session = new TerminalSession(args('triage'), env);
    try {
      await session.waitFor(/q quit  \? more/);
      session.type('r');
      await session.waitFor(/Enter done/);
      session.type("On it\r");
      await session.waitFor(/cannot reply through the API: X lets apps reply only to posts that mention @acme_help/);
      await session.waitFor(/web reply \(text filled in\): https:\/\/x\.com\/intent\/post\?in_reply_to=\d+&text=On%20it/);
      session.type('x');
      await session.waitFor(/Open it\? back/);
      session.type('q');
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    expect(fake.postRequests).toHaveLength(0);
  });

  it('prints hostile text harmlessly', async () => {
    fake.addTweet('acme \u001b]52;c;ZXZpbA==\u0007pwned \u001b[2J cleared \u009b31m', { author: 'mallory' });
    await runCommand(args('poll'), { env });
    const db = new Database(join(dir, 'bw.db'), { readonly: true });
    const id = (db.prepare('SELECT id FROM mentions').get() as { id: number }).id;
    db.close();
    for (const command of [['show', String(id)], ['list'], ['reply', String(id), '--text', 'hi', '--dry-run']]) {
      const result = await runCommand(args(...command), { env });
      expect(result.stdout + result.stderr).not.toMatch(/[\u001b\u0007\u009b]/);
    }
    const session = new TerminalSession(args('triage'), env);
    try {
      await session.waitFor(/q quit  \? more/);
      // ? lists every key, then the same item waits for its action.
      session.type('?');
      await session.waitFor(/Keys:[\s\S]*  u {2}undo/);
      session.type('q');
      await session.exited;
    } finally {
      session.kill();
    }
    // The pseudo-terminal shows our own colours and prompts; the mention's sequences must not reach it.
    expect(session.raw).not.toContain('\u001b]52');
    expect(session.raw).not.toContain('\u001b[2J');
    expect(session.screen).toMatch(/acme pwned\s+cleared/);
  });
});

describe('triage without a terminal, mark and show', () => {
  it('exits 2 pointing to reply and mark', async () => {
    const result = await runCommand(args('triage'), { env });
    expect(result.code).toBe(2);
    // The hints carry the --config and --db in use.
    expect(result.stderr).toMatch(/triage is interactive and needs a terminal; in scripts use `brandwatch --config \S+ --db \S+ reply <id> --text "…"` and `brandwatch --config \S+ --db \S+ mark <id\.\.\.> <status>`/);
  });

  it('marks several mentions, keeps the category override through later polls, and show prints the history', async () => {
    const a = fake.addTweet('acme thanks for nothing', { author: 'a1' });
    const b = fake.addTweet('acme where is my parcel?', { author: 'b2' });
    await runCommand(args('poll'), { env });
    const [idA, idB] = query<{ id: number }>('SELECT id FROM mentions ORDER BY external_id').map((r) => r.id);
    const marked = await runCommand(args('mark', String(idA), String(idB), 'resolved', '--category', 'feedback', '--note', 'handled by phone'), { env });
    expect(marked.code, marked.stderr).toBe(0);
    expect(marked.stdout).toContain(`#${idA}: new → resolved · category feedback · note added`);
    fake.addTweet('acme again', { author: 'c3' });
    await runCommand(args('poll'), { env });
    expect(query('SELECT category, category_manual, status FROM mentions WHERE id IN (?, ?)', idA, idB)).toEqual([
      { category: 'feedback', category_manual: 1, status: 'resolved' },
      { category: 'feedback', category_manual: 1, status: 'resolved' },
    ]);
    const show = await runCommand(args('show', String(idA)), { env });
    expect(show.stdout).toMatch(/status new → resolved \(dana\)/);
    expect(show.stdout).toMatch(/category \S+ → feedback \(dana\)/);
    expect(show.stdout).toMatch(/note — → handled by phone \(dana\)/);
    expect(show.stdout).toMatch(/Priority \d+(\.\d)? \((low|normal|high|urgent)\)/);

    const bad = await runCommand(args('mark', String(idA), 'done'), { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"done" is not a status \(use new, open, replied, private, resolved, ignored, spam\)/);
    const badCategory = await runCommand(args('mark', String(idA), 'open', '--category', 'rant'), { env });
    expect(badCategory.code).toBe(2);
    const missing = await runCommand(args('mark', '999', 'open'), { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no mention has id 999/);
    void a;
    void b;
  });
});
