import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/cli.js';
import { TerminalSession } from '../helpers/terminal.js';

describe('init in a terminal', () => {
  it('asks for brand, keywords, handle, zone and source, then writes a loadable config', async () => {
    const path = join(tempDir(), 'config.yml');
    const session = new TerminalSession(['--config', path, 'init']);
    try {
      await session.waitFor(/Brand name/);
      session.type('Acme Widgets\r');
      await session.waitFor(/Keywords to watch/);
      session.type('acme, @acme_help\r');
      await session.waitFor(/Time zone for reports/);
      // A mistyped zone is refused where it is typed, and asked again: nothing typed so far is lost.
      session.type('\x15Europe/Pariss\r');
      await session.waitFor(/not a known IANA time zone/);
      session.type('\x15Europe/Paris\r');
      await session.waitFor(/offline sample platforms/);
      session.type('n\r');
      await session.waitFor(/Platforms to watch/);
      session.type('\r');
      await session.waitFor(/X account/);
      session.type('acme_help\r');
      await session.waitFor(/X bearer token/);
      session.type('\r');
      await session.waitFor(/X user token/);
      session.type('\r');
      await session.waitFor(/Monthly X read budget/);
      session.type('\r');
      // The file is shown once written.
      await session.waitFor(/monthlyReadBudget: 10000/);
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    const { config } = parseConfig(readFileSync(path, 'utf8'), path);
    expect(config).toMatchObject({ brand: 'Acme Widgets', timezone: 'Europe/Paris', ownAccounts: { twitter: 'acme_help' } });
    expect(config.keywords.map((k) => k.term)).toEqual(['acme', '@acme_help']);
    expect(config.sources[0]).toMatchObject({ platform: 'twitter', bearerTokenEnv: 'TWITTER_BEARER_TOKEN', userTokenEnv: 'TWITTER_USER_TOKEN', monthlyReadBudget: 10000 });
  });
});
