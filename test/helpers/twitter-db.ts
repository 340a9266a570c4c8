import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { testCertificate } from '../fakes/tls.js';
import { runCommand, startCli, tempDir, writeConfig } from './cli.js';
import { configText } from './config.js';

/** A seeded generator, so a failing random run can be replayed from the seed in its message. */
export { seededRandom } from '../../src/random.js';

export const KEYWORDS = ['acme', 'wile e coyote and roadrunner'];

/** A fake X API, a temp folder and the config and environment that point a poll at it. */
/** The fixture's X source settings: two query groups, small pages, short timeouts. */
export const TWITTER_SETTINGS = ['queryLengthLimit: 64', 'maxResults: 10', 'timeout: 2s', 'retry: { attempts: 3, baseDelay: 10ms }'];

export async function twitterFixture(options: { settings?: string[]; /** The store: a PostgreSQL URL (default: a SQLite file in the folder). */ db?: string } = {}) {
  // Dozens of polls, each re-reading X's overlap window below its cursor (a few pages at maxResults 10):
  // more requests than one 450-request window holds.
  const fake = await new FakeTwitter({ rateLimit: 5000 }).start();
  const dir = tempDir();
  const { caFile } = await testCertificate();
  const env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', BRANDWATCH_TWITTER_API_URL: fake.url, NODE_EXTRA_CA_CERTS: caFile };
  // A 64-character query limit puts the two keywords in two query groups, each with its own cursor.
  const settings = options.settings ?? TWITTER_SETTINGS;
  const source = ['  - platform: twitter', '    bearerTokenEnv: TWITTER_BEARER_TOKEN', ...settings.map((s) => `    ${s}`)].join('\n');
  writeConfig(dir, configText({ keywords: KEYWORDS, ownAccounts: { twitter: 'acme_help' }, sources: [source] }));
  const dbPath = options.db ?? join(dir, 'bw.db');
  const args = ['--config', join(dir, 'config.yml'), '--db', dbPath, 'poll'];
  return {
    fake,
    dir,
    env,
    dbPath,
    poll: (...extra: string[]) => runCommand([...args, ...extra], { env }),
    startPoll: () => startCli(args, { env }),
    /** Every stored (platform, external_id), in storage order, duplicates included. */
    stored(): string[] {
      if (!existsSync(dbPath)) return [];
      const db = new Database(dbPath, { readonly: true });
      try {
        return (db.prepare('SELECT external_id FROM mentions ORDER BY id').all() as { external_id: string }[]).map((r) => r.external_id);
      } finally {
        db.close();
      }
    },
    /** The same as `stored`, on either engine. */
    async storedIds(): Promise<string[]> {
      if (!/^postgres(ql)?:/.test(dbPath)) return this.stored();
      const { openPostgresEngine } = await import('../../src/store/postgres.js');
      const engine = await openPostgresEngine(dbPath);
      try {
        const tables = await engine.all<{ n: number }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'mentions'");
        if (tables[0]!.n === 0) return [];
        return (await engine.all<{ external_id: string }>('SELECT external_id FROM mentions ORDER BY id')).map((r) => r.external_id);
      } finally {
        await engine.close();
      }
    },
    serverIds: () => fake.tweets.map((t) => t.id),
  };
}

export function sorted(ids: readonly string[]): string[] {
  return [...ids].sort();
}
