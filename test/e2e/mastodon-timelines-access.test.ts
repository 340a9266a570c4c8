import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeMastodon } from '../fakes/mastodon.js';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';

/** Mastodon 4.5: `configuration.timelines_access.hashtag_feeds` may restrict hashtag timelines to logged-in users. */
let fake: FakeMastodon;
let dir: string;
let env: Record<string, string>;

function config(token: boolean): string {
  return [
    'brand: Acme',
    'timezone: UTC',
    'keywords:',
    '  - acme',
    'sources:',
    '  - platform: mastodon',
    `    instanceUrl: ${fake.url}`,
    ...(token ? ['    accessTokenEnv: MASTODON_TOKEN'] : []),
    '    retry: { attempts: 2, baseDelay: 10ms }',
    '    timeout: 2s',
    '',
  ].join('\n');
}

function cli(...args: string[]) {
  return runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { env });
}

beforeEach(async () => {
  fake = await new FakeMastodon().start();
  dir = tempDir();
  env = { MASTODON_TOKEN: fake.token };
});

afterEach(async () => {
  await fake.stop();
});

describe('Mastodon hashtag timelines for logged-in users only', () => {
  it('with a token the poll reads them (the token goes with the timeline request); doctor says so', async () => {
    fake.hashtagFeeds = { local: 'authenticated', remote: 'authenticated' };
    fake.tokenAccount = fake.addAccount('acme_help');
    writeConfig(dir, config(true));
    fake.addTagged(3);
    const result = await cli('poll', '--json');
    expect(result.code, result.stderr).toBe(0);
    const tag = fake.server.requestsTo(/\/timelines\/tag\//)[0]!;
    expect(tag.headers.authorization).toBe(`Bearer ${fake.token}`);
    const doctor = await cli('doctor', '--json');
    const check = JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === 'hashtag timelines');
    expect(check).toMatchObject({ status: 'ok' });
    expect(check.detail).toMatch(/local authenticated, remote authenticated: logged-in users only, so polls send the access token/);
  });

  it('without a token the poll says what to set, and doctor fails the check with the fix', async () => {
    fake.hashtagFeeds = { local: 'authenticated', remote: 'authenticated' };
    writeConfig(dir, config(false));
    fake.addTagged(1);
    const result = await cli('poll');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/shows hashtag timelines to logged-in users only .*set accessTokenEnv/);
    const doctor = await cli('doctor', '--json');
    const check = JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === 'hashtag timelines');
    expect(check).toMatchObject({ status: 'fail', fix: expect.stringMatching(/accessTokenEnv/) });
  });

  it("reads the instance's documented answer (mastodon.social, public): no token needed", async () => {
    writeConfig(dir, config(false));
    const doctor = await cli('doctor', '--json');
    const check = JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === 'hashtag timelines');
    expect(check).toMatchObject({ status: 'ok', detail: expect.stringMatching(/local public, remote public: readable without a token/) });
  });
});
