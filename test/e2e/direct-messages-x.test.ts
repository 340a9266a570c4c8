import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeServer, type RecordedRequest } from '../fakes/server.js';
import { tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';
import { runInProcess, scriptedPrompter, type InProcessOptions } from '../helpers/run.js';

/** X's direct messages in the queue: read with the mentions, joined to their item, answered by DM, reported apart. */
let fake: FakeTwitter;
let dir: string;
let env: Record<string, string>;

const MIN = 60_000;
const BASE = Date.parse('2026-11-30T09:00:00Z');
const TEMPLATES = 'templates:\n  take-private: "Sorry to hear that, @{author}. Please DM us your account number and we will sort it out."\n';

function configure(extra = '', top = ''): void {
  writeConfig(
    dir,
    twitterConfig({ extra: `userTokenEnv: TWITTER_USER_TOKEN\nnativeReplies: false\nrefreshMetrics: false\ndirectMessages: true${extra ? `\n${extra}` : ''}` }) +
      `sla:\n  twitter: 30m\n  default: 24h\n  dm:\n    twitter: 2h\n${TEMPLATES}${top}`,
  );
}

function cli(args: string[], options: InProcessOptions = {}) {
  return runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { env, ...options });
}

function rows<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function polled(stdout: string) {
  return JSON.parse(stdout).sources[0] as { status: string; new: number; requests: number; postsRead: number; spend: number; message: string | null };
}

beforeEach(async () => {
  fake = await new FakeTwitter().start();
  dir = tempDir();
  env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', TWITTER_USER_TOKEN: 'test-user-token', BRANDWATCH_TWITTER_API_URL: fake.url, BRANDWATCH_ACTOR: 'dana' };
  configure();
});

afterEach(async () => {
  await fake.stop();
});

describe('direct messages on X', () => {
  it('public complaint → take private → the customer DMs → answered by DM from triage → the report shows the private times', async () => {
    const complaint = fake.addTweet('@acme_help my acme router is dead again, third time this month', { author: 'kim', mentions: ['acme_help'], createdAt: new Date(BASE - 60 * MIN) });
    expect((await cli(['poll'], { now: BASE })).code).toBe(0);
    const item = rows<{ id: number }>('SELECT id FROM mentions WHERE external_id = ?', complaint.id)[0]!.id;

    // p: the public "please DM us" is its own, optional step; the item goes private after it.
    const first = scriptedPrompter(['p', 'y', 'y']);
    const triage1 = await cli(['triage'], { tty: true, prompter: first, now: BASE + 5 * MIN });
    expect(triage1.code, triage1.stderr).toBe(0);
    expect(first.asked[1]).toMatch(/^Take private: answer @kim in public first\?/);
    expect(fake.created).toHaveLength(1);
    expect(fake.created[0]!.inReplyToTweetId).toBe(complaint.id);
    expect(rows<{ status: string }>('SELECT status FROM mentions WHERE id = ?', item)[0]!.status).toBe('private');

    // The customer writes privately: the DM joins the item and brings it back to the queue.
    const dm = fake.addDm('Hi! Account 4471 & the router serial is <XR-9>.', { from: 'kim', createdAt: new Date(BASE + 20 * MIN) });
    const poll2 = await cli(['--json', 'poll'], { now: BASE + 25 * MIN });
    expect(poll2.code, poll2.stderr).toBe(0);
    expect(polled(poll2.stdout).new).toBe(1);
    const stored = rows<{ channel: string; thread_id: number; text: string; dm_conversation_id: string }>(
      'SELECT channel, thread_id, text, dm_conversation_id FROM mentions WHERE external_id = ?',
      dm.id,
    )[0]!;
    expect(stored).toEqual({ channel: 'dm', thread_id: item, text: 'Hi! Account 4471 & the router serial is <XR-9>.', dm_conversation_id: fake.conversationWith(fake.users.get(dm.senderId)!.id) });
    expect(rows<{ status: string }>('SELECT status FROM mentions WHERE id = ?', item)[0]!.status).toBe('open');

    // Triage shows it as written privately; the composer says the answer goes by DM.
    const second = scriptedPrompter(['r', 'Thanks Kim, a new router ships today.', 'y']);
    const triage2 = await cli(['triage'], { tty: true, prompter: second, now: BASE + 30 * MIN });
    expect(triage2.code, triage2.stderr).toBe(0);
    expect(triage2.stdout).toMatch(/customer wrote privately — answers go by DM/);
    expect(triage2.stdout).toMatch(/@kim \(DM\):/);
    expect(second.asked).toContain('Reply by DM to @kim on X:');
    expect(fake.sentDms.map((d) => d.text)).toEqual(['Thanks Kim, a new router ships today.']);
    expect(fake.created).toHaveLength(1);
    const responses = rows<{ channel: string; state: string }>('SELECT channel, state FROM responses ORDER BY id');
    expect(responses).toEqual([
      { channel: 'public', state: 'sent' },
      { channel: 'dm', state: 'sent' },
    ]);

    expect((await cli(['mark', String(item), 'resolved'], { now: BASE + 60 * MIN })).code).toBe(0);
    const report = await cli(['report', '--json', '--since', '2026-11-30', '--until', '2026-12-01'], { now: BASE + 120 * MIN });
    expect(report.code, report.stderr).toBe(0);
    const figures = JSON.parse(report.stdout).private;
    expect(figures).toMatchObject({
      items: 1,
      needingResponse: 1,
      answeredPublicly: 1,
      answeredPrivately: 1,
      publicResponseRate: 1,
      privateResponseRate: 1,
      // Taken private at +5 min, first DM at +30 min; first post at −60 min, resolved at +60 min.
      firstPrivateAnswer: { answered: 1, p50Minutes: 25, meanMinutes: 25 },
      resolution: { resolved: 1, p50Minutes: 120, meanMinutes: 120 },
    });
    const table = await cli(['report', '--since', '2026-11-30', '--until', '2026-12-01'], { now: BASE + 120 * MIN, columns: 400 });
    expect(table.stdout).toMatch(/1 item went private; answered in public 100% \(1\/1\), in private 100% \(1\/1\); first private answer p50 25m/);
    const csv = await cli(['export', '--since', '2026-11-30', '--until', '2026-12-01'], { now: BASE + 120 * MIN });
    const [header, ...lines] = csv.stdout.trim().split('\r\n');
    expect(header).toMatch(/,channel,private_at,first_private_response_at,first_private_answer_minutes,resolved_at,resolution_minutes$/);
    expect(lines.find((l) => l.startsWith(`${item},`))).toMatch(/,public,2026-11-30T09:05:00\+00:00,2026-11-30T09:30:00\+00:00,25,2026-11-30T10:00:00\+00:00,120$/);
  });

  it('a DM send whose outcome is unknown is not sent again: the next attempt finds it in the conversation', async () => {
    configure();
    const dm = fake.addDm('where is my refund?', { from: 'ola', createdAt: new Date(BASE - 10 * MIN) });
    expect((await cli(['poll'], { now: BASE })).code).toBe(0);
    const item = rows<{ id: number; channel: string }>('SELECT id, channel FROM mentions WHERE external_id = ?', dm.id)[0]!;
    expect(item.channel).toBe('dm');

    fake.stallAfterDm = { count: 1, ms: 3000 };
    const timedOut = await cli(['reply', String(item.id), '--text', 'Refund sent this morning, Ola.'], { now: BASE + MIN });
    expect(timedOut.code).toBe(75);
    expect(timedOut.stderr).toMatch(/outcome is unknown/);
    expect(fake.sentDms).toHaveLength(1);

    const again = await cli(['reply', String(item.id), '--text', 'Refund sent this morning, Ola.'], { now: BASE + 3 * MIN });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/earlier attempt had been posted after all/);
    expect(fake.sentDms).toHaveLength(1);
    expect(fake.server.requestsTo(/^\/2\/dm_conversations\/with\/\d+\/dm_events$/)).toHaveLength(1);
    expect(rows<{ state: string; channel: string; external_id: string }>('SELECT state, channel, external_id FROM responses')).toEqual([
      { state: 'sent', channel: 'dm', external_id: fake.sentDms[0]!.id },
    ]);
  });

  it('pages resume after an interrupted poll, a quiet poll is one small request, nothing is stored twice', async () => {
    configure('maxResults: 10\nmaxPages: 1');
    for (let i = 0; i < 25; i++) fake.addDm(`message ${i}`, { from: `user${i % 5}`, createdAt: new Date(BASE - (30 - i) * MIN) });
    const counts: number[] = [];
    for (let run = 0; run < 3; run++) {
      const poll = await cli(['--json', 'poll'], { now: BASE });
      expect(poll.code, poll.stderr).toBe(0);
      counts.push(polled(poll.stdout).new);
    }
    expect(counts).toEqual([10, 10, 5]);
    expect(rows<{ n: number }>("SELECT count(DISTINCT external_id) AS n FROM mentions WHERE channel = 'dm'")[0]!.n).toBe(25);

    // Quiet: one request for one event, nothing new; on the same UTC day nothing is billed again.
    const before = fake.dmRequests.length;
    const quiet = polled((await cli(['--json', 'poll'], { now: BASE + MIN })).stdout);
    expect(fake.dmRequests.length - before).toBe(1);
    expect(fake.dmRequests.at(-1)!.query.get('max_results')).toBe('1');
    expect(quiet).toMatchObject({ new: 0, status: 'ok', spend: 0 });

    // Two new: the first page's one event is new, so the run pages on (here in the next poll: maxPages 1).
    fake.addDm('one more', { from: 'user1', createdAt: new Date(BASE + 2 * MIN) });
    fake.addDm('and another', { from: 'user2', createdAt: new Date(BASE + 2 * MIN + 1000) });
    const next = [polled((await cli(['--json', 'poll'], { now: BASE + 3 * MIN })).stdout), polled((await cli(['--json', 'poll'], { now: BASE + 4 * MIN })).stdout)];
    expect(next.map((p) => p.new)).toEqual([1, 1]);
    // The resumed run ends, and a fresh run from the committed position finds nothing newer.
    expect(fake.dmRequests.slice(-3).map((r) => r.query.get('max_results'))).toEqual(['1', '10', '1']);
    expect(rows<{ n: number }>("SELECT count(DISTINCT external_id) AS n FROM mentions WHERE channel = 'dm'")[0]!.n).toBe(27);
  });

  it("the brand's DMs sent from the app answer the customer's: a native private answer", async () => {
    const dm = fake.addDm('is my order shipped?', { from: 'lin', createdAt: new Date(BASE - 20 * MIN) });
    const answer = fake.addDmFromBrand('Yes, it left this morning.', { to: 'lin', createdAt: new Date(BASE - 5 * MIN) });
    expect((await cli(['poll'], { now: BASE })).code).toBe(0);
    const item = rows<{ id: number; status: string; first_response_at: number; first_private_response_at: number }>(
      'SELECT id, status, first_response_at, first_private_response_at FROM mentions WHERE external_id = ?',
      dm.id,
    )[0]!;
    expect(item).toMatchObject({ status: 'replied', first_response_at: BASE - 5 * MIN, first_private_response_at: BASE - 5 * MIN });
    expect(rows('SELECT external_id, via, channel, state FROM responses')).toEqual([{ external_id: answer.id, via: 'native', channel: 'dm', state: 'sent' }]);
    // Our message is never a mention of its own.
    expect(rows<{ n: number }>('SELECT count(*) AS n FROM mentions')[0]!.n).toBe(1);
  });

  it('the monthly read budget stops reading DMs', async () => {
    configure('monthlyReadBudget: 15');
    for (let i = 0; i < 30; i++) fake.addDm(`message ${i}`, { from: 'pat', createdAt: new Date(BASE - (40 - i) * MIN) });
    const result = polled((await cli(['--json', 'poll'], { now: BASE })).stdout);
    expect(result.status).toBe('budget_exhausted');
    expect(result.new).toBe(15);
    expect(result.postsRead).toBe(15);
    expect(fake.dmRequests.map((r) => r.query.get('max_results'))).toEqual(['15']);
    expect(result.message).toMatch(/monthly read budget of 15 posts is used up/);
    // The next month's poll carries on where the budget stopped it, nothing stored twice.
    const later = polled((await cli(['--json', 'poll'], { now: Date.parse('2026-12-01T09:00:00Z') })).stdout);
    expect(later.new).toBe(15);
    expect(rows<{ n: number }>("SELECT count(*) AS n FROM mentions WHERE channel = 'dm'")[0]!.n).toBe(30);
  });

  it('DM text stays out of webhook alerts, the default export and the default HTML report', async () => {
    const receiver = new FakeServer(false);
    const received: { text: string; alert: Record<string, any> }[] = [];
    receiver.route('POST', /^\/hook$/, (request: RecordedRequest) => {
      received.push(JSON.parse(request.body));
      return { status: 200, body: 'ok' };
    });
    await receiver.start();
    try {
      env = { ...env, BW_WEBHOOK: `${receiver.url}/hook` };
      configure('', 'alerts:\n  webhookEnv: BW_WEBHOOK\n  minPriority: low\n');
      const now = Date.now();
      fake.addDm('my card number is 4111 1111 and my password is hunter2', { from: 'sam', createdAt: new Date(now - 3 * 60 * MIN) });
      expect((await cli(['poll'], { now })).code).toBe(0);
      expect(received.length).toBeGreaterThan(0);
      const bodies = JSON.stringify(received);
      expect(bodies).not.toMatch(/hunter2|4111/);
      expect(received[0]!.text).toMatch(/DM from @sam on twitter/);
      expect(received[0]!.text).toMatch(/x\.com\/messages\//);
      expect(received[0]!.alert.mention.text).toBeNull();

      const day = '1d';
      const exported = await cli(['export', '--since', day], { now });
      expect(exported.stdout).toMatch(/,dm,/);
      expect(exported.stdout).not.toMatch(/hunter2/);
      expect((await cli(['export', '--since', day, '--include-private'], { now })).stdout).toMatch(/hunter2/);

      // Unanswered past its 2 h DM target: in the breach list, without its text unless asked.
      const html = await cli(['report', '--format', 'html', '--since', day], { now });
      expect(html.stdout).toMatch(/SLA breaches: 1/);
      expect(html.stdout).not.toMatch(/hunter2/);
      expect(html.stdout).toMatch(/Private channel/);
      expect((await cli(['report', '--format', 'html', '--since', day, '--include-private'], { now })).stdout).toMatch(/hunter2/);
      // The person's own queue shows it.
      expect((await cli(['list'], { now })).stdout).toMatch(/hunter2/);
    } finally {
      await receiver.stop();
    }
  });
});
