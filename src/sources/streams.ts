import { ConfigError } from '../errors.js';
import type { Config } from '../config/schema.js';
import { ownHandles, secretFrom, sourceName } from './index.js';
import type { Stream } from './stream.js';
import type { Source } from './types.js';

export interface StreamEnvironmentOptions {
  env: NodeJS.ProcessEnv;
  configPath: string;
}

/** Why a configured source is polled rather than streamed under `watch --stream`, for the start-up line. */
export interface Unstreamed {
  source: string;
  why: string;
}

/**
 * The streams `watch --stream` holds: one per configured source whose platform has one and whose config
 * allows it (`stream: false` opts out). The sources are the poll's own (built once), so a streamed post is
 * mapped with the same state (Bluesky's session, Mastodon's hashtags).
 */
export async function buildStreams(config: Config, sources: readonly Source[], { env, configPath }: StreamEnvironmentOptions): Promise<{ streams: Stream[]; polled: Unstreamed[] }> {
  const streams: Stream[] = [];
  const polled: Unstreamed[] = [];
  for (const source of sources) {
    const settings = config.sources.find((s) => sourceName(s) === source.name);
    if (!settings) continue;
    const where = `${configPath}: sources.${source.name}`;
    if (!('stream' in settings)) {
      polled.push({ source: source.name, why: `${settings.platform} has no stream` });
      continue;
    }
    if (!settings.stream) {
      polled.push({ source: source.name, why: 'stream: false' });
      continue;
    }
    switch (settings.platform) {
      case 'twitter': {
        const { TwitterStream } = await import('./twitter/stream.js');
        try {
          streams.push(
            new TwitterStream({
              config: settings,
              keywords: config.keywords,
              ownHandles: ownHandles(config, 'twitter'),
              bearerToken: secretFrom(env, settings.bearerTokenEnv, `${where}.bearerTokenEnv`),
              apiBaseUrl: env.BRANDWATCH_TWITTER_API_URL || settings.apiBaseUrl || null,
            }),
          );
        } catch (error) {
          if (error instanceof RangeError) throw new ConfigError(`${where}: ${error.message}`);
          throw error;
        }
        break;
      }
      case 'bluesky': {
        const { BlueskyStream } = await import('./bluesky/stream.js');
        const { BlueskySource } = await import('./bluesky/source.js');
        if (!(source instanceof BlueskySource)) continue;
        streams.push(new BlueskyStream({ config: settings, keywords: config.keywords, ownHandles: ownHandles(config, 'bluesky'), source }));
        break;
      }
      case 'mastodon': {
        const { MastodonStream } = await import('./mastodon/stream.js');
        const { MastodonSource } = await import('./mastodon/source.js');
        if (!(source instanceof MastodonSource)) continue;
        // Since Mastodon 4.2 the streaming API needs a user token.
        if (!settings.accessTokenEnv) {
          polled.push({ source: source.name, why: 'Mastodon streams need accessTokenEnv' });
          continue;
        }
        streams.push(new MastodonStream({ config: settings, accessToken: secretFrom(env, settings.accessTokenEnv, `${where}.accessTokenEnv`), source }));
        break;
      }
    }
  }
  return { streams, polled };
}
