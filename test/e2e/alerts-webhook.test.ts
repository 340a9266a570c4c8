import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeServer, type RecordedRequest } from '../fakes/server.js';
import { testCertificate } from '../fakes/tls.js';
import { runCommand, tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';

const SECRET_PATH = '/services/T000/B000/SECRETxyz';
const MIN = 60_000;

let fake: FakeTwitter;
let receiver: FakeServer;
/** Bodies the receiver accepted (faulted requests never reach the route). */
let received: { text: string; alert: Record<string, any> }[];
let dir: string;
let env: Record<string, string>;

function configure(alerts: string, extra = 'nativeReplies: false\nrefreshMetrics: false'): void {
  writeConfig(dir, `${twitterConfig({ extra })}sla:\n  twitter: 30m\n  default: 24h\nalerts:\n${alerts.replace(/^/gm, '  ')}\n`);
}

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  return runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { env: { ...env, ...extraEnv } });
}

beforeEach(async () => {
  fake = await new FakeTwitter().start();
  receiver = new FakeServer(false);
  received = [];
  receiver.route('POST', /^\/services\//, (request: RecordedRequest) => {
    received.push(JSON.parse(request.body));
    return { status: 200, body: 'ok' };
  });
  await receiver.start();
  dir = tempDir();
  const { caFile } = await testCertificate();
  env = {
    TWITTER_BEARER_TOKEN: 'test-bearer-token',
    BRANDWATCH_TWITTER_API_URL: fake.url,
    NODE_EXTRA_CA_CERTS: caFile,
    BW_WEBHOOK: `${receiver.url}${SECRET_PATH}`,
  };
});

afterEach(async () => {
  await fake.stop();
  await receiver.stop();
});

describe('alerts delivered to a webhook', () => {
  it('arrive once, in order, with the documented JSON; the URL secret never shows', async () => {
    configure('webhookEnv: BW_WEBHOOK\nminPriority: low\nretry: { attempts: 3, baseDelay: 10ms }');
    const tweets = [
      fake.addTweet('acme <!channel> my order never came', { author: 'ann', createdAt: new Date(Date.now() - 3 * MIN) }),
      fake.addTweet('is acme down?', { author: 'bob', createdAt: new Date(Date.now() - 2 * MIN) }),
      fake.addTweet('acme support please help', { author: 'cat', createdAt: new Date(Date.now() - MIN) }),
    ];
    const first = await cli(['poll']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^alerts: 3 raised, 3 delivered$/m);
    expect(received.map((b) => b.alert.mention.author)).toEqual(['ann', 'bob', 'cat']);
    expect(received.map((b) => b.alert.id)).toEqual([1, 2, 3]);
    const [ann] = received;
    expect(ann).toEqual({
      text: expect.stringMatching(/^New (?:low|normal|high|urgent) mention from @ann on twitter \(\w+, priority \d+\) — due in 2\dm: "acme &lt;!channel&gt; my order never came" <https:\/\/x\.com\/ann\/status\/\d+\|open>$/),
      alert: {
        id: 1,
        key: 'new:3',
        kind: 'new',
        raisedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        title: expect.stringMatching(/^New (?:low|normal|high|urgent) mention from @ann/),
        keyword: 'acme',
        mention: {
          id: 3,
          platform: 'twitter',
          url: `https://x.com/ann/status/${tweets[0]!.id}`,
          author: 'ann',
          text: 'acme <!channel> my order never came',
          channel: 'public',
          category: expect.any(String),
          priority: expect.any(Number),
          createdAt: new Date(Date.parse(tweets[0]!.createdAt)).toISOString(),
          deadline: new Date(Date.parse(tweets[0]!.createdAt) + 30 * MIN).toISOString(),
        },
        // The level follows the classifier's guess (category, sentiment): the shape is what is documented.
        details: { level: expect.stringMatching(/^(?:low|normal|high|urgent)$/) },
        foldedInto: null,
      },
    });
    const headers = receiver.requests[0]!.headers;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['idempotency-key']).toBe('new:3');

    const again = await cli(['poll']);
    expect(again.code, again.stderr).toBe(0);
    expect(receiver.requests).toHaveLength(3);

    const log = await cli(['--json', 'alerts']);
    const entries = JSON.parse(log.stdout);
    expect(entries.map((e: any) => [e.key, e.delivery.state, e.delivery.attempts])).toEqual([
      ['new:1', 'sent', 1],
      ['new:2', 'sent', 1],
      ['new:3', 'sent', 1],
    ]);
    const piped = await cli(['alerts', '--limit', '2']);
    expect(piped.stdout.trim().split('\n').map((l) => l.split('\t').slice(2, 5))).toEqual([
      ['new', '1', 'sent'],
      ['new', '2', 'sent'],
    ]);
    for (const output of [first, again, log, piped]) expect(output.stdout + output.stderr).not.toContain('SECRETxyz');
  });

  it('a receiver that fails twice then recovers gets every alert exactly once, in order', async () => {
    configure('webhookEnv: BW_WEBHOOK\nminPriority: low\nretry: { attempts: 1, baseDelay: 10ms }');
    fake.addMentions(3);
    receiver.inject({ kind: 'status', status: 500, body: 'internal_error' });
    receiver.inject({ kind: 'reset' });

    const first = await cli(['poll']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr.trim()).toBe(`alerts: webhook ${receiver.url}: answered 500 (after 1 attempt); 3 waiting for the next run`);
    const second = await cli(['poll']);
    expect(second.stderr).toMatch(/alerts: webhook http:\/\/127\.0\.0\.1:\d+: cannot reach it \(.+\) \(after 1 attempt\); 3 waiting for the next run/);
    expect(received).toHaveLength(0);

    const failed = JSON.parse((await cli(['--json', 'alerts'])).stdout);
    expect(failed.map((e: any) => e.delivery.state)).toEqual(['pending', 'pending', 'failed']);
    expect(failed[2].delivery.attempts).toBe(2);

    const third = await cli(['poll']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toBe('');
    expect(received.map((b) => b.alert.key)).toEqual(['new:3', 'new:2', 'new:1']);
    await cli(['poll']);
    expect(received).toHaveLength(3);
    for (const output of [first, second, third]) expect(output.stdout + output.stderr).not.toContain('SECRETxyz');
  });

  it('retries within a run with backoff when the receiver fails twice', async () => {
    configure('webhookEnv: BW_WEBHOOK\nminPriority: low\nretry: { attempts: 3, baseDelay: 10ms }');
    fake.addMentions(2);
    receiver.inject({ kind: 'status', status: 503 });
    receiver.inject({ kind: 'status', status: 502 });
    const result = await cli(['--json', 'poll']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).alerts).toMatchObject({ delivered: 2, waiting: 0, problem: null });
    expect(received.map((b) => b.alert.key)).toEqual(['new:2', 'new:1']);
    expect(receiver.requests).toHaveLength(4);
  });

  it('SLA soon and breach follow a controllable clock', async () => {
    configure('webhookEnv: BW_WEBHOOK\nminPriority: urgent\nslaLead: 10m\nretry: { attempts: 1, baseDelay: 10ms }');
    const t0 = Date.UTC(2026, 10, 20, 9, 0);
    fake.addTweet('acme charged me twice', { author: 'dan', createdAt: new Date(t0) });
    const at = (minutes: number) => cli(['poll'], { BRANDWATCH_NOW: new Date(t0 + minutes * MIN).toISOString() });
    const kinds = () => received.map((b) => b.alert.kind);

    expect((await at(5)).code).toBe(0);
    expect(kinds()).toEqual([]);
    await at(19);
    expect(kinds()).toEqual([]);
    await at(21);
    expect(kinds()).toEqual(['sla_soon']);
    expect(received[0]!.text).toMatch(/^SLA soon: @dan on twitter is due in 9m \(target 30m\): "acme charged me twice"/);
    await at(25);
    expect(kinds()).toEqual(['sla_soon']);
    // At the deadline itself an answer still meets the SLA (as the report counts it): the breach comes after.
    await at(30);
    expect(kinds()).toEqual(['sla_soon']);
    await at(31);
    expect(kinds()).toEqual(['sla_soon', 'breach']);
    expect(received[1]!.text).toMatch(/^SLA breached: @dan on twitter has waited 31m \(target 30m\)/);
    await at(45);
    expect(kinds()).toEqual(['sla_soon', 'breach']);
  });

  it('holds deliveries during quiet hours and sends them when they end', async () => {
    configure('webhookEnv: BW_WEBHOOK\nminPriority: low\nquietHours: { from: "22:00", to: "07:00" }\nretry: { attempts: 1, baseDelay: 10ms }');
    const night = Date.UTC(2026, 10, 20, 23, 30);
    fake.addTweet('acme why is my bill so high', { createdAt: new Date(night - MIN) });
    const atNight = await cli(['poll'], { BRANDWATCH_NOW: new Date(night).toISOString() });
    expect(atNight.code, atNight.stderr).toBe(0);
    expect(received).toHaveLength(0);
    const held = JSON.parse((await cli(['--json', 'alerts'], { BRANDWATCH_NOW: new Date(night).toISOString() })).stdout);
    expect(held.map((e: any) => [e.kind, e.quietHours, e.delivery.state])).toEqual([['new', true, 'pending']]);
    await cli(['poll'], { BRANDWATCH_NOW: new Date(Date.UTC(2026, 10, 21, 6, 59)).toISOString() });
    expect(received).toHaveLength(0);
    await cli(['poll'], { BRANDWATCH_NOW: new Date(Date.UTC(2026, 10, 21, 7, 0)).toISOString() });
    // The held alert goes first; the mention has since passed its 30-minute target.
    expect(received.map((b) => b.alert.kind)).toEqual(['new', 'breach']);
  });

  it('keeps alerts waiting when the webhook variable is unset, and delivers once it is set', async () => {
    configure('webhookEnv: BW_WEBHOOK\nminPriority: low');
    fake.addMentions(1);
    const unset = await cli(['poll'], { BW_WEBHOOK: '' });
    expect(unset.code).toBe(0);
    expect(unset.stderr.trim()).toBe('alerts: alerts.webhookEnv: the environment variable BW_WEBHOOK is not set; alerts wait in the log until it is; 1 waiting for the next run');
    const set = await cli(['poll']);
    expect(set.stderr).toBe('');
    expect(received.map((b) => b.alert.key)).toEqual(['new:1']);
  });

  it('refuses bad alert config with the file, line and key', async () => {
    configure('webhook: https://hooks.example/x\nwebhookEnv: BW_WEBHOOK');
    const both = await cli(['poll']);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toMatch(/config\.yml:\d+: alerts\.webhookEnv: set webhook or webhookEnv, not both$/);
    configure('quietHours: { from: "10pm", to: "07:00" }');
    const clock = await cli(['poll']);
    expect(clock.code).toBe(2);
    expect(clock.stderr).toMatch(/alerts\.quietHours\.from: use a 24-hour HH:MM time/);
    const kind = await cli(['alerts', '--kind', 'boom']);
    expect(kind.code).toBe(2);
    expect(kind.stderr.trim()).toBe('brandwatch: --kind: "boom" is not an alert kind (use new, sla_soon, breach, viral, spike)');
  });
});

describe('alert delivery outside the poll lock', () => {
  it('a slow webhook does not make an overlapping cron poll exit 75, and every alert is delivered once overall', async () => {
    configure('webhookEnv: BW_WEBHOOK\nminPriority: low\nretry: { attempts: 1, baseDelay: 10ms }\ntimeout: 5s');
    for (let i = 0; i < 5; i++) fake.addTweet(`acme order ${i} never came`, { author: `early${i}`, createdAt: new Date(Date.now() - (10 - i) * MIN) });
    // Each of the first poll's deliveries takes 700 ms: 3.5 s in all.
    for (let i = 0; i < 5; i++) receiver.inject({ kind: 'delay', ms: 700 }, /^\/services\//);
    const { startCli } = await import('../helpers/cli.js');
    const slow = startCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll'], { env });
    let slowErr = '';
    slow.stderr!.on('data', (d: Buffer) => (slowErr += d.toString()));
    slow.stdout!.resume();
    const slowCode = new Promise<number | null>((resolve) => slow.on('close', resolve));
    // The first poll is delivering: its first webhook request is in.
    const deadline = Date.now() + 20_000;
    while (receiver.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(receiver.requests.length).toBeGreaterThan(0);

    for (let i = 0; i < 3; i++) fake.addTweet(`acme is down ${i}`, { author: `late${i}`, createdAt: new Date(Date.now() - (3 - i) * MIN) });
    const overlapping = await cli(['poll']);
    expect(overlapping.code, overlapping.stderr).toBe(0);
    expect(await slowCode, slowErr).toBe(0);
    // A later run delivers whatever is still waiting.
    expect((await cli(['poll'])).code).toBe(0);

    const keys = received.map((b) => b.alert.key as string);
    expect(new Set(keys).size).toBe(keys.length);
    expect(received.map((b) => b.alert.mention.author).sort()).toEqual(['early0', 'early1', 'early2', 'early3', 'early4', 'late0', 'late1', 'late2']);
    const alerts = await cli(['alerts', '--json']);
    expect((JSON.parse(alerts.stdout) as { delivery: { state: string } }[]).map((a) => a.delivery.state)).toEqual(Array(8).fill('sent'));
  });
});
