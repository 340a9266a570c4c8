import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';
import { businessHoursSchema } from './business-hours.js';
import { DEFAULT_SLA_TARGET, DM_SLA_PREFIX } from './defaults.js';

/** Longest duration anywhere in the config: past it timers overflow and dates lose meaning. */
const MAX_DURATION = 366 * 86_400_000;

/** A duration written as text (`30m`), parsed to milliseconds, between `min` and `max` inclusive. */
export function boundedDuration(min: number, max: number) {
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (use e.g. 90s, 30m, 2h, 1d)` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      const shown = (ms: number) => (ms < 1000 ? `${ms}ms` : formatDuration(ms));
      const range = min === 0 ? `at most ${shown(max)}` : `between ${shown(min)} and ${shown(max)}`;
      ctx.addIssue({ code: 'custom', message: `"${text}" is out of range: use ${range}` });
      return z.NEVER;
    }
    return ms;
  });
}

export const duration = boundedDuration(0, MAX_DURATION);
/** A request's whole deadline: 0 would turn it off, and past a few minutes a cron poll would hang. */
const requestTimeout = boundedDuration(100, 10 * 60_000);

/** Name of an environment variable holding a secret (never the secret itself). */
const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable (e.g. TWITTER_BEARER_TOKEN), not a secret value');

const retry = z
  .strictObject({
    attempts: z.number().int().min(1).max(10).default(3),
    baseDelay: boundedDuration(1, 5 * 60_000).prefault('1s'),
  })
  .default({ attempts: 3, baseDelay: 1000 });

/** Settings every source accepts. */
const common = {
  /** Distinguishes two sources of one platform; defaults to the platform name. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lowercase letters, digits, - and _').optional(),
  monthlyReadBudget: z.number().int().positive().optional(),
  /** Monthly budget in US dollars (platforms that bill in money: X); `poll` stops the source before exceeding it. */
  monthlyBudget: z.number().positive().max(1_000_000).optional(),
  /** Pages one query group may fetch in one poll; a longer catch-up continues on the next poll. */
  maxPages: z.number().int().min(1).max(1000).default(50),
  timeout: requestTimeout.prefault('30s'),
  retry,
  /** Longest wait for a rate-limit window to reset before the source stops for this run (windows last 15 minutes at most). */
  rateLimitWait: boundedDuration(0, 15 * 60_000).prefault('60s'),
};

/** Settings of the sources that have a platform stream (`watch --stream`). */
const streaming = {
  /** false: `watch --stream` keeps polling this source on its interval instead of holding its stream. */
  stream: z.boolean().default(true),
  /**
   * No data and no keep-alive for this long: the connection is taken for dead and reconnected. X sends its
   * keep-alive about every 20 s, so exactly 20 s reconnects on every late one: half as long again.
   */
  streamStallTimeout: boundedDuration(100, 10 * 60_000).prefault('30s'),
};

export const twitterSource = z.strictObject({
  platform: z.literal('twitter'),
  ...common,
  ...streaming,
  /** Filtered-stream rules may be this long (1,024 on pay-per-use and Pro, 2,048 on Enterprise). */
  ruleLengthLimit: z.number().int().min(64).max(2048).default(1024),
  /** Filtered-stream rules the app may hold (1,000 on pay-per-use). */
  ruleLimit: z.number().int().min(1).max(25_000).default(1000),
  bearerTokenEnv: envName,
  userTokenEnv: envName.optional(),
  /** Also search the brand's own replies (`from:<own> is:reply`, one request per poll) to record replies made outside brandwatch. */
  nativeReplies: z.boolean().default(true),
  /** Re-read the public metrics of up to 100 open mentions each poll (one request) so engagement growth counts in priority. */
  refreshMetrics: z.boolean().default(true),
  apiBaseUrl: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://'), 'must be an https:// URL (the X client speaks HTTPS only)')
    .optional(),
  queryLengthLimit: z.number().int().min(64).max(4096).default(512),
  maxResults: z.number().int().min(10).max(100).default(100),
  /** X's pay-per-use prices in US dollars; the defaults are X's published ones (they change: override here). */
  prices: z
    .strictObject({
      postRead: z.number().min(0).max(10),
      userRead: z.number().min(0).max(10),
      ownedRead: z.number().min(0).max(10),
      countsRequest: z.number().min(0).max(10),
      postCreate: z.number().min(0).max(10),
      summonedReply: z.number().min(0).max(10),
      urlPost: z.number().min(0).max(10),
      dmEventRead: z.number().min(0).max(10),
      dmCreate: z.number().min(0).max(10),
    })
    .partial()
    .default({}),
  /** @mentions of the brand's account through the mention timeline (owned reads, 5× cheaper) when a user token is set. */
  mentionTimeline: z.boolean().default(true),
  /** The brand's direct messages in the queue (GET /2/dm_events, billed per DM event) and answers by DM; needs a user token with dm.read and dm.write. */
  directMessages: z.boolean().default(false),
  /** Re-read this far below the newest stored post: X indexes some posts late, with ids below the cursor. */
  overlap: boundedDuration(0, 10 * 60_000).prefault('30s'),
  /** Volume from counts/recent (one request per query group per poll, no post reads) for spikes and the report. */
  counts: z.boolean().default(false),
  /** How far back the very first poll reaches (X's recent search allows 7 days). */
  backfill: duration
    .refine((ms) => ms <= 7 * 86_400_000, 'recent search reaches back 7 days at most')
    .prefault('1d'),
});

export const sampleSource = z.strictObject({
  platform: z.literal('sample'),
  ...common,
  /** Seed of the generated conversation; the same seed gives the same mentions. */
  seed: z.number().int().default(1),
  /** When the sample platform's history starts; mentions appear as the clock passes their time. */
  start: z.iso.datetime({ offset: true }),
  /** Average mentions per hour. */
  ratePerHour: z.number().positive().max(3600).default(0.5),
  pageSize: z.number().int().min(1).max(100).default(50),
  /** Play one of the demo's sample platforms (its voice, links, reply limit); its mentions carry that platform's name. */
  imitates: z.enum(['twitter', 'mastodon', 'bluesky', 'rss']).optional(),
});

/** A platform URL: HTTPS, or plain HTTP only to this machine (local gateways, test servers) so tokens never travel in clear. */
const platformUrl = z
  .string()
  .url()
  .refine((u) => {
    // Refinements run even when .url() failed: a string that is no URL must not throw here.
    const url = URL.canParse(u) ? new URL(u) : null;
    return url !== null && (url.protocol === 'https:' || (url.protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname)));
  }, 'must be an https:// URL (plain http:// only for 127.0.0.1 or localhost)');

/** How far back the very first poll reaches. */
const backfill = duration.refine((ms) => ms <= 30 * 86_400_000, 'at most 30d').prefault('1d');

export const mastodonSource = z.strictObject({
  platform: z.literal('mastodon'),
  ...common,
  ...streaming,
  /** Where the instance's streaming API answers (GET /api/v1/instance `urls.streaming`); default the instance itself. */
  streamingUrl: platformUrl.optional(),
  /** The instance whose hashtag timelines are read (and where the brand's account lives, for replies). */
  instanceUrl: platformUrl,
  /** Optional for reading public hashtag timelines; needed (scope write:statuses) to reply. */
  accessTokenEnv: envName.optional(),
  /** Hashtags per request: one in the path plus up to four `any[]` (Mastodon's limit per mode). */
  tagsPerQuery: z.number().int().min(1).max(5).default(5),
  /** Only posts from this instance (`local=true`). */
  localOnly: z.boolean().default(false),
  /** Direct-visibility statuses to the brand in the queue, and answers by direct status; needs accessTokenEnv (read:notifications, read:statuses, write:statuses). */
  directMessages: z.boolean().default(false),
  backfill,
});

export const blueskySource = z.strictObject({
  platform: z.literal('bluesky'),
  ...common,
  ...streaming,
  /** Bluesky's Jetstream (WebSocket JSON of every post network-wide; keywords are matched here). */
  jetstreamUrl: z
    .string()
    .url()
    .refine((u) => {
      const url = URL.canParse(u) ? new URL(u) : null;
      return url !== null && (url.protocol === 'wss:' || (url.protocol === 'ws:' && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname)));
    }, 'must be a wss:// URL (plain ws:// only for 127.0.0.1 or localhost)')
    .default('wss://jetstream2.us-east.bsky.network/subscribe'),
  /** The PDS or entryway the account logs in to; search and replies go through it. */
  serviceUrl: platformUrl.default('https://bsky.social'),
  /** The account's handle or DID (not secret). */
  identifier: z.string().min(1),
  /** An app password (Settings → Privacy and security → App passwords). */
  appPasswordEnv: envName,
  pageSize: z.number().int().min(1).max(100).default(100),
  /** Look up new authors' follower counts (app.bsky.actor.getProfiles, 25 a request) for reach and priority. */
  followerCounts: z.boolean().default(true),
  /** The brand's chats in the queue (chat.bsky.convo.*, through the PDS's chat proxy) and answers by DM; the app password must allow direct messages. */
  directMessages: z.boolean().default(false),
  backfill,
});

export const redditSource = z.strictObject({
  platform: z.literal('reddit'),
  ...common,
  /** Script-app credentials: with all four, search goes through OAuth and replies are possible; without, read-only. */
  clientIdEnv: envName.optional(),
  clientSecretEnv: envName.optional(),
  usernameEnv: envName.optional(),
  passwordEnv: envName.optional(),
  /** Reddit requires a unique, descriptive User-Agent naming the app and its owner. */
  userAgent: z.string().min(10).default('brandwatch/0.1 (brand mention monitor)'),
  /** Default https://oauth.reddit.com with credentials, https://www.reddit.com without. */
  apiBaseUrl: platformUrl.optional(),
  tokenUrl: platformUrl.default('https://www.reddit.com/api/v1/access_token'),
  /** Limit search to these subreddits (without r/). */
  subreddits: z.array(z.string().regex(/^[A-Za-z0-9_]{2,21}$/, 'a subreddit name without r/')).optional(),
  queryLengthLimit: z.number().int().min(32).max(512).default(512),
  backfill,
});

export const hackernewsSource = z.strictObject({
  platform: z.literal('hackernews'),
  ...common,
  /** The Algolia HN Search API origin. */
  apiBaseUrl: platformUrl.optional(),
  tags: z.array(z.enum(['story', 'comment'])).min(1).default(['story', 'comment']),
  hitsPerPage: z.number().int().min(10).max(1000).default(100),
  /** How far back the very first poll reaches. */
  backfill: duration.prefault('1d'),
  /** Re-read this far behind the newest stored item: Algolia indexes items a little after they are posted. */
  overlap: duration.prefault('10m'),
});

export const rssSource = z.strictObject({
  platform: z.literal('rss'),
  ...common,
  /** An RSS 2.0 or Atom feed, e.g. a Google Alerts feed (Deliver to: RSS feed). */
  url: z
    .string()
    .url()
    .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), 'must be an http:// or https:// feed URL'),
  /** Keep only entries that mention a keyword; default on, except for Google Alerts feeds (already filtered). */
  filterByKeywords: z.boolean().optional(),
  /** Entries older than this are skipped (feeds often carry years of history). */
  backfill: duration.prefault('7d'),
});

export const facebookSource = z.strictObject({
  platform: z.literal('facebook'),
  ...common,
  pageId: z.string().regex(/^\d+$/, 'must be the numeric id of the Page (GET /me?fields=id with the page token shows it)'),
  pageTokenEnv: envName,
  /** The Graph API origin. */
  apiBaseUrl: platformUrl.optional(),
  apiVersion: z.string().regex(/^v\d+\.\d+$/, 'must look like v25.0').default('v25.0'),
  /** Posts this recent are watched for new comments. */
  watchPostsFor: duration.prefault('14d'),
  /** How far back the very first poll reaches. */
  backfill: duration.prefault('1d'),
});

export const sourceConfig = z.discriminatedUnion('platform', [
  twitterSource,
  sampleSource,
  mastodonSource,
  blueskySource,
  redditSource,
  hackernewsSource,
  rssSource,
  facebookSource,
]);
export const PLATFORMS = sourceConfig.options.map((option) => option.shape.platform.value);
export type Platform = (typeof PLATFORMS)[number];

/** A search term must say something: spaces and quotes alone would become an empty platform query. */
const term = z.string().refine((t) => /[\p{L}\p{N}\p{S}]/u.test(t), 'must contain a letter, digit or symbol (not only spaces or quotes)');
const keyword = z.union([
  term.transform((t) => ({ term: t, exclude: [] as string[] })),
  z.strictObject({ term, exclude: z.array(term).default([]) }),
]);

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'is not a known IANA time zone (e.g. Europe/London)');

const level = z.enum(['low', 'normal', 'high', 'urgent']);
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use a 24-hour HH:MM time, e.g. 22:00');

/** Alert rules, delivery and quiet hours (src/alerts). Every key has a default, so `alerts: {}` works. */
export const alertsConfig = z
  .strictObject({
    /** Slack-compatible incoming webhook; may carry a secret in its path, so prefer `webhookEnv`. */
    webhook: z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s):// URL').optional(),
    /** Name of the environment variable holding the webhook URL. */
    webhookEnv: envName.optional(),
    /** New mentions at or above this level raise an alert. */
    minPriority: level.default('high'),
    /** Warn this long before a first-response deadline. */
    slaLead: duration.prefault('10m'),
    /** SLA warnings and breaches for mentions at or above this level. */
    slaMinPriority: level.default('low'),
    /** Mentions created (or breaches that happened) longer ago than this raise no alert: no flood from a backlog. */
    maxAge: duration.prefault('24h'),
    /** The viral-risk signal: engagement gained between polls. */
    viral: z
      .strictObject({
        perHour: z.number().positive().default(100),
        minGrowth: z.number().int().positive().default(20),
      })
      .prefault({}),
    /** Volume or negative spike per keyword against its usual rate. */
    spike: z
      .strictObject({
        window: duration.prefault('10m'),
        baseline: duration.prefault('7d'),
        factor: z.number().min(1).default(3),
        minCount: z.number().int().min(2).default(10),
        /** After a spike alert, the keyword raises no other spike (and its mentions no single alerts) for this long. */
        cooldown: duration.prefault('1h'),
      })
      .prefault({}),
    /** Webhook deliveries wait until the end of quiet hours (in `timezone`); the log and `watch` still show them. */
    quietHours: z.strictObject({ from: clockTime, to: clockTime }).optional(),
    retry,
    timeout: requestTimeout.prefault('10s'),
  })
  .refine((a) => !(a.webhook && a.webhookEnv), { message: 'set webhook or webhookEnv, not both', path: ['webhookEnv'] });

/** Each platform's account-name grammar: a handle goes into platform queries, so nothing else may pass. */
const HANDLE_GRAMMAR: Record<string, { pattern: RegExp; example: string }> = {
  twitter: { pattern: /^@?[A-Za-z0-9_]{1,15}$/, example: 'acme_help (letters, digits, _; at most 15)' },
  mastodon: { pattern: /^@?[A-Za-z0-9_]{1,30}(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?$/, example: 'acme or acme@mastodon.social' },
  bluesky: { pattern: /^@?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}$/, example: 'acme.bsky.social' },
  reddit: { pattern: /^@?(u\/)?[A-Za-z0-9_-]{3,20}$/, example: 'acme_help (3–20 letters, digits, _ or -)' },
  hackernews: { pattern: /^@?[A-Za-z0-9_-]{2,15}$/, example: 'acmehq (2–15 letters, digits, _ or -)' },
  facebook: { pattern: /^[A-Za-z0-9.]{1,50}$/, example: 'the Page id or username' },
  sample: { pattern: /^@?[A-Za-z0-9_]{1,30}$/, example: 'fernhill_help' },
  rss: { pattern: /^.{1,100}$/, example: 'an author name' },
};

const ownAccounts = z.record(z.string(), z.union([z.string().min(1), z.array(z.string().min(1))])).superRefine((accounts, ctx) => {
  for (const [platform, value] of Object.entries(accounts)) {
    const grammar = HANDLE_GRAMMAR[platform];
    if (!grammar) {
      ctx.addIssue({ code: 'custom', path: [platform], message: `unknown platform (use one of: ${Object.keys(HANDLE_GRAMMAR).join(', ')})` });
      continue;
    }
    for (const [index, handle] of (Array.isArray(value) ? value : [value]).entries()) {
      if (!grammar.pattern.test(handle.trim())) {
        ctx.addIssue({ code: 'custom', path: Array.isArray(value) ? [platform, index] : [platform], message: `is not a ${platform} account name (e.g. ${grammar.example})` });
      }
    }
  }
});

const slaDuration = boundedDuration(60_000, 30 * 86_400_000);

/**
 * First-response targets per platform (and `default`); `dm:` the same for direct messages, each
 * defaulting to the platform's own target. Parsed flat (`dm:twitter`) so every target is one number.
 */
const slaSchema = z
  .object({ dm: z.record(z.string(), slaDuration).optional() })
  .catchall(slaDuration)
  .transform(({ dm, ...targets }) => {
    const flat: Record<string, number> = { ...(targets as Record<string, number>) };
    for (const [platform, target] of Object.entries(dm ?? {})) flat[`${DM_SLA_PREFIX}${platform}`] = target;
    return flat;
  })
  .default({ default: DEFAULT_SLA_TARGET });

export const configSchema = z.strictObject({
  brand: z.string().min(1),
  timezone: timezone.optional(),
  /** Path of the SQLite file; relative paths are relative to the config file. */
  database: z.string().min(1).optional(),
  keywords: z.array(keyword).min(1, 'list at least one keyword'),
  ownAccounts: ownAccounts.default({}),
  sources: z.array(sourceConfig).min(1, 'configure at least one source'),
  sla: slaSchema,
  /** Opening hours: when set, SLA clocks and response times count business time only. */
  businessHours: businessHoursSchema.optional(),
  alerts: alertsConfig.optional(),
  templates: z.record(z.string(), z.string()).default({}),
});

export type RawConfig = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type SourceConfig = z.output<typeof sourceConfig>;
export type TwitterSourceConfig = z.output<typeof twitterSource>;
export type SampleSourceConfig = z.output<typeof sampleSource>;
export type MastodonSourceConfig = z.output<typeof mastodonSource>;
export type BlueskySourceConfig = z.output<typeof blueskySource>;
export type RedditSourceConfig = z.output<typeof redditSource>;
export type HackerNewsSourceConfig = z.output<typeof hackernewsSource>;
export type RssSourceConfig = z.output<typeof rssSource>;
export type FacebookSourceConfig = z.output<typeof facebookSource>;
export type Keyword = Config['keywords'][number];
export type AlertsConfig = z.output<typeof alertsConfig>;
