import { ConfigError } from '../errors.js';
import type { Config, SourceConfig } from '../config/schema.js';
import type { Source } from './types.js';

export interface SourceEnvironment {
  env: NodeJS.ProcessEnv;
  configPath: string;
  /** The clock (the context's): checks, rate-limit resets and reply times read it, never the system clock. */
  now: () => number;
}

/** Read a secret from the environment variable the config names; never from the file. */
export function secretFrom(env: NodeJS.ProcessEnv, variable: string, where: string): string {
  const value = env[variable];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`${where}: the environment variable ${variable} is not set; export it (e.g. in the cron line) before running brandwatch`);
  }
  return value.trim();
}

/** The brand's own handles on a platform, lower case, without `@`. */
export function ownHandles(config: Config, platform: string): string[] {
  const value = config.ownAccounts[platform];
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((h) => h.replace(/^@/, '').toLowerCase());
}

export function sourceName(source: SourceConfig): string {
  return source.name ?? source.platform;
}

/** X's query grammar is checked when the source is built: a keyword too long for the query limit is a config error (exit 2). */
function twitterSource<T, O>(Source: new (options: O) => T, where: string, options: O): T {
  try {
    return new Source(options);
  } catch (error) {
    if (error instanceof RangeError) throw new ConfigError(`${where}: ${error.message}`);
    throw error;
  }
}

/** Build the configured sources; platform modules load lazily so unused clients cost nothing at start-up. */
export async function buildSources(config: Config, { env, configPath, now }: SourceEnvironment, only?: string): Promise<Source[]> {
  const selected = config.sources.filter((s) => !only || s.platform === only || sourceName(s) === only);
  if (only && selected.length === 0) {
    throw new ConfigError(`no configured source is called "${only}" (configured: ${config.sources.map(sourceName).join(', ')})`);
  }
  const sources: Source[] = [];
  for (const source of selected) {
    const where = `${configPath}: sources.${sourceName(source)}`;
    switch (source.platform) {
      case 'twitter': {
        const { TwitterSource } = await import('./twitter/source.js');
        sources.push(
          twitterSource(TwitterSource, where, {
            config: source,
            keywords: config.keywords,
            ownHandles: ownHandles(config, 'twitter'),
            bearerToken: secretFrom(env, source.bearerTokenEnv, `${where}.bearerTokenEnv`),
            apiBaseUrl: env.BRANDWATCH_TWITTER_API_URL || source.apiBaseUrl || null,
            // Optional for polling: replies say what is missing when they need it.
            userToken: source.userTokenEnv ? env[source.userTokenEnv]?.trim() || null : null,
            now,
          }),
        );
        break;
      }
      case 'hackernews': {
        const { HackerNewsSource } = await import('./hackernews/source.js');
        // HN usernames are case-sensitive (Algolia's author_ tag too): keep them as written.
        const own = [config.ownAccounts.hackernews ?? []].flat().map((h) => h.replace(/^@/, ''));
        sources.push(new HackerNewsSource({ config: source, keywords: config.keywords, ownHandles: own, now }));
        break;
      }
      case 'rss': {
        const { RssSource } = await import('./rss/source.js');
        sources.push(new RssSource({ config: source, keywords: config.keywords, now }));
        break;
      }
      case 'facebook': {
        const { FacebookSource } = await import('./facebook/source.js');
        sources.push(
          new FacebookSource({ config: source, keywords: config.keywords, pageToken: secretFrom(env, source.pageTokenEnv, `${where}.pageTokenEnv`), now }),
        );
        break;
      }
      case 'sample': {
        const { SampleSource } = await import('./sample/source.js');
        sources.push(new SampleSource(source, config.keywords, now));
        break;
      }
      case 'mastodon': {
        const { MastodonSource } = await import('./mastodon/source.js');
        sources.push(
          new MastodonSource({
            config: source,
            keywords: config.keywords,
            ownHandles: ownHandles(config, 'mastodon'),
            accessToken: source.accessTokenEnv ? secretFrom(env, source.accessTokenEnv, `${where}.accessTokenEnv`) : null,
          }),
        );
        break;
      }
      case 'bluesky': {
        const { BlueskySource } = await import('./bluesky/source.js');
        const { sessionFilePath } = await import('./bluesky/session-file.js');
        sources.push(
          new BlueskySource({
            config: source,
            keywords: config.keywords,
            ownHandles: ownHandles(config, 'bluesky'),
            appPassword: secretFrom(env, source.appPasswordEnv, `${where}.appPasswordEnv`),
            now,
            sessionFile: sessionFilePath(env, source.serviceUrl, source.identifier),
          }),
        );
        break;
      }
      case 'reddit': {
        const { RedditSource } = await import('./reddit/source.js');
        const keys = ['clientIdEnv', 'clientSecretEnv', 'usernameEnv', 'passwordEnv'] as const;
        const given = keys.filter((k) => source[k] !== undefined);
        if (given.length > 0 && given.length < keys.length) {
          throw new ConfigError(`${where}: a Reddit script app needs all of ${keys.join(', ')} (missing ${keys.filter((k) => source[k] === undefined).join(', ')}); or none for read-only`);
        }
        const secret = (k: (typeof keys)[number]) => secretFrom(env, source[k]!, `${where}.${k}`);
        sources.push(
          new RedditSource({
            config: source,
            keywords: config.keywords,
            ownHandles: ownHandles(config, 'reddit'),
            credentials:
              given.length === 0 ? null : { clientId: secret('clientIdEnv'), clientSecret: secret('clientSecretEnv'), username: secret('usernameEnv'), password: secret('passwordEnv') },
            now,
          }),
        );
        break;
      }
    }
  }
  return sources;
}
