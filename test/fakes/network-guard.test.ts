import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cliEnv, runCli, tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';

it('refuses a connection to any host but the loopback', () => {
  expect(() => connect({ host: 'graph.facebook.com', port: 443 })).toThrow(/tried to reach graph\.facebook\.com: tests use fake servers on 127\.0\.0\.1 only/);
  expect(() => connect(443, 'api.twitter.com')).toThrow(/tried to reach api\.twitter\.com/);
  const local = connect({ host: '127.0.0.1', port: 9 });
  local.on('error', () => {});
  local.destroy();
});

it('refuses it in every process a test spawns with the CLI environment too', async () => {
  const child = spawnSync(process.execPath, ['-e', "require('node:net').connect(443, 'api.twitter.com')"], { env: cliEnv(), encoding: 'utf8' });
  expect(child.status).not.toBe(0);
  expect(child.stderr).toMatch(/tried to reach api\.twitter\.com: tests use fake servers on 127\.0\.0\.1 only/);
  // The CLI itself, pointed at the real X API: it never gets there.
  const dir = tempDir();
  writeConfig(dir, twitterConfig());
  const poll = await runCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll'], {
    env: { TWITTER_BEARER_TOKEN: 'test-bearer-token', BRANDWATCH_TWITTER_API_URL: 'https://api.twitter.com/2/' },
  });
  expect(poll.code).not.toBe(0);
  expect(poll.stderr).toMatch(/tried to reach api\.twitter\.com: tests use fake servers on 127\.0\.0\.1 only/);
});
