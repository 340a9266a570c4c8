import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_X_READ_BUDGET, secretNames, starterConfig, X_POST_READ_USD, type SourceAnswer, type StarterOptions } from '../../config/template.js';
import { parseConfig } from '../../config/load.js';
import { systemTimeZone } from '../../time/zone.js';
import * as schema from '../../config/schema.js';

export interface InitOptions {
  demo?: boolean;
  brand?: string;
  keywords?: string;
  timezone?: string;
  force?: boolean;
  /** Comma-separated platforms to configure (default: twitter). */
  platforms?: string;
  twitterHandle?: string;
  twitterBudget?: string;
  mastodonInstance?: string;
  mastodonHandle?: string;
  blueskyHandle?: string;
  redditSubreddits?: string;
  rssUrl?: string;
  facebookPage?: string;
}

/** The platforms init can set up, in the order it asks about them. */
export const INIT_PLATFORMS = ['twitter', 'mastodon', 'bluesky', 'reddit', 'hackernews', 'rss', 'facebook'] as const;
type InitPlatform = (typeof INIT_PLATFORMS)[number];

/** The env variable names init writes unless told otherwise. */
const DEFAULT_ENV = {
  twitterBearer: 'TWITTER_BEARER_TOKEN',
  twitterUser: 'TWITTER_USER_TOKEN',
  mastodon: 'MASTODON_ACCESS_TOKEN',
  bluesky: 'BLUESKY_APP_PASSWORD',
  redditId: 'REDDIT_CLIENT_ID',
  redditSecret: 'REDDIT_CLIENT_SECRET',
  facebook: 'FACEBOOK_PAGE_TOKEN',
};

/**
 * One check per answer, from the config schema itself, so a typo is caught when it is typed (the prompt
 * asks again) or named by its flag — never after every other answer is given.
 */
type Check = (value: string) => true | string;

function fromSchema(field: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }): Check {
  return (value) => {
    const result = field.safeParse(value);
    return result.success || (result.error?.issues[0]?.message ?? 'not valid here');
  };
}

const optionalCheck = (check: Check): Check => (value) => (value.trim() === '' ? true : check(value.trim()));

const CHECKS = {
  brand: ((v) => (v.trim() !== '' ? true : 'give the brand a name')) as Check,
  keywords: ((v) => (splitList(v).some((k) => /[\p{L}\p{N}\p{S}]/u.test(k)) ? true : 'list at least one keyword, e.g. acme, @acme_help')) as Check,
  timezone: ((v) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: v.trim() });
      return v.trim() !== '' || 'give an IANA time zone, e.g. Europe/London';
    } catch {
      return `"${v}" is not a known IANA time zone (e.g. Europe/London, America/New_York)`;
    }
  }) as Check,
  platforms: ((v) => {
    const unknown = splitList(v).filter((p) => !(INIT_PLATFORMS as readonly string[]).includes(p.toLowerCase()));
    if (unknown.length > 0) return `"${unknown[0]}" is not a platform init knows (use ${INIT_PLATFORMS.join(', ')})`;
    return splitList(v).length > 0 || 'name at least one platform';
  }) as Check,
  envName: fromSchema(schema.twitterSource.shape.bearerTokenEnv),
  budget: ((v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 ? true : 'a whole number of posts a month, e.g. 10000')) as Check,
  instance: fromSchema(schema.mastodonSource.shape.instanceUrl),
  feedUrl: fromSchema(schema.rssSource.shape.url),
  pageId: fromSchema(schema.facebookSource.shape.pageId),
  subreddits: ((v) => splitList(v).every((s) => /^[A-Za-z0-9_]{2,21}$/.test(s.replace(/^r\//, ''))) || 'subreddit names without r/, comma-separated') as Check,
  handle: (platform: string): Check => (value) => {
    const result = schema.configSchema.shape.ownAccounts.safeParse({ [platform]: value.trim() });
    return result.success || (result.error.issues[0]?.message ?? 'not an account name');
  },
};

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/** A flag's value through its answer's check: a usage error naming the flag. */
function checked(flag: string, value: string, check: Check): string {
  const verdict = check(value);
  if (verdict !== true) throw new UsageError(`${flag}: ${verdict}`);
  return value.trim();
}

export async function run(ctx: Context, options: InitOptions): Promise<void> {
  const path = ctx.configPath();
  if (existsSync(path) && !options.force) {
    throw new UsageError(`${path} already exists; pass --force to overwrite it, or --config <file> to write elsewhere`);
  }
  const interactive = ctx.io.stdinIsTTY && ctx.io.stdoutIsTTY && !options.brand;
  const answers = interactive ? await ask(ctx, options) : fromFlags(options, ctx.now());
  const text = starterConfig(answers);
  parseConfig(text, path); // what we write must load
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  if (interactive) ctx.io.out(`\n${text}`);
  ctx.io.info(`wrote ${path}`);
  if (!answers.demo) {
    const secrets = secretNames(answers.sources ?? []);
    const exports = secrets.length > 0 ? `export ${secrets.map((name) => `${name}=…`).join(' ')}, then run` : 'run';
    ctx.io.info(`next: ${exports} \`${ctx.invocation('doctor')}\` and \`${ctx.invocation('poll')}\``);
  }
}

function platformsOf(text: string | undefined): InitPlatform[] {
  return [...new Set(splitList(text ?? 'twitter').map((p) => p.toLowerCase()))] as InitPlatform[];
}

function fromFlags(options: InitOptions, now: number): StarterOptions {
  if (!options.brand) {
    throw new UsageError('init needs --brand <name> when not run in a terminal (and usually --keywords a,b and --platforms with their flags; see init --help)');
  }
  const brand = checked('--brand', options.brand, CHECKS.brand);
  const keywords = splitList(checked('--keywords', options.keywords ?? brand, CHECKS.keywords));
  const timezone = checked('--timezone', options.timezone ?? systemTimeZone(), CHECKS.timezone);
  if (options.demo) return { brand, keywords, timezone, twitterHandle: options.twitterHandle, demo: { start: new Date(now - 14 * 86_400_000).toISOString() } };
  const platforms = platformsOf(checked('--platforms', options.platforms ?? 'twitter', CHECKS.platforms));
  const ownAccounts: Record<string, string> = {};
  const sources: SourceAnswer[] = [];
  const need = (flag: string, value: string | undefined, platform: string): string => {
    if (value === undefined) throw new UsageError(`${platform} needs ${flag} (or leave ${platform} out of --platforms)`);
    return value;
  };
  for (const platform of platforms) {
    switch (platform) {
      case 'twitter':
        if (options.twitterHandle) ownAccounts.twitter = checked('--twitter-handle', options.twitterHandle, CHECKS.handle('twitter')).replace(/^@/, '');
        sources.push({
          platform,
          bearerTokenEnv: DEFAULT_ENV.twitterBearer,
          userTokenEnv: DEFAULT_ENV.twitterUser,
          monthlyReadBudget: Number(checked('--twitter-budget', options.twitterBudget ?? String(DEFAULT_X_READ_BUDGET), CHECKS.budget)),
        });
        break;
      case 'mastodon':
        if (options.mastodonHandle) ownAccounts.mastodon = checked('--mastodon-handle', options.mastodonHandle, CHECKS.handle('mastodon')).replace(/^@/, '');
        sources.push({ platform, instanceUrl: checked('--mastodon-instance', need('--mastodon-instance <url>', options.mastodonInstance, platform), CHECKS.instance), accessTokenEnv: DEFAULT_ENV.mastodon });
        break;
      case 'bluesky': {
        const handle = checked('--bluesky-handle', need('--bluesky-handle <handle>', options.blueskyHandle, platform), CHECKS.handle('bluesky')).replace(/^@/, '');
        ownAccounts.bluesky = handle;
        sources.push({ platform, identifier: handle, appPasswordEnv: DEFAULT_ENV.bluesky });
        break;
      }
      case 'reddit':
        sources.push({ platform, subreddits: options.redditSubreddits ? splitList(checked('--reddit-subreddits', options.redditSubreddits, CHECKS.subreddits)).map((s) => s.replace(/^r\//, '')) : undefined });
        break;
      case 'hackernews':
        sources.push({ platform });
        break;
      case 'rss':
        sources.push({ platform, url: checked('--rss-url', need('--rss-url <feed url>', options.rssUrl, platform), CHECKS.feedUrl) });
        break;
      case 'facebook':
        sources.push({ platform, pageId: checked('--facebook-page', need('--facebook-page <page id>', options.facebookPage, platform), CHECKS.pageId), pageTokenEnv: DEFAULT_ENV.facebook });
        break;
    }
  }
  return { brand, keywords, timezone, ownAccounts, sources };
}

async function ask(ctx: Context, options: InitOptions): Promise<StarterOptions> {
  const { input, confirm } = ctx.prompter;
  const q = (message: string, validate: Check, value?: string) => input({ message, validate, ...(value !== undefined ? { default: value } : {}) }).then((a) => a.trim());
  const brand = await q('Brand name', CHECKS.brand);
  const keywords = splitList(await q('Keywords to watch (comma-separated)', CHECKS.keywords, brand.toLowerCase()));
  const timezone = await q('Time zone for reports', CHECKS.timezone, options.timezone ?? systemTimeZone());
  const demo = options.demo ?? (await confirm({ message: 'Start with the offline sample platforms instead of real ones?', default: false }));
  if (demo) return { brand, keywords, timezone, demo: { start: new Date(ctx.now() - 14 * 86_400_000).toISOString() } };

  const platforms = platformsOf(await q(`Platforms to watch (${INIT_PLATFORMS.join(', ')})`, CHECKS.platforms, options.platforms ?? 'twitter'));
  const ownAccounts: Record<string, string> = {};
  const sources: SourceAnswer[] = [];
  const env = (what: string, fallback: string, required = true) => q(`Environment variable holding ${what}${required ? '' : ' (empty: none)'}`, required ? CHECKS.envName : optionalCheck(CHECKS.envName), fallback);
  for (const platform of platforms) {
    switch (platform) {
      case 'twitter': {
        const handle = await q("The brand's X account (without @; empty to skip)", optionalCheck(CHECKS.handle('twitter')));
        if (handle) ownAccounts.twitter = handle.replace(/^@/, '');
        const bearerTokenEnv = await env('the X bearer token (to read)', DEFAULT_ENV.twitterBearer);
        const userTokenEnv = await env('the X user token (to reply)', DEFAULT_ENV.twitterUser, false);
        const budget = await q(`Monthly X read budget in posts ($${X_POST_READ_USD} each; poll stops at it)`, CHECKS.budget, String(DEFAULT_X_READ_BUDGET));
        sources.push({ platform, bearerTokenEnv, userTokenEnv: userTokenEnv || undefined, monthlyReadBudget: Number(budget) });
        break;
      }
      case 'mastodon': {
        const instanceUrl = await q('Mastodon instance URL (e.g. https://mastodon.social)', CHECKS.instance);
        const handle = await q("The brand's Mastodon account (e.g. acme@mastodon.social; empty to skip)", optionalCheck(CHECKS.handle('mastodon')));
        if (handle) ownAccounts.mastodon = handle.replace(/^@/, '');
        const accessTokenEnv = await env('the Mastodon access token (to reply)', DEFAULT_ENV.mastodon, false);
        sources.push({ platform, instanceUrl, accessTokenEnv: accessTokenEnv || undefined });
        break;
      }
      case 'bluesky': {
        const identifier = (await q("The brand's Bluesky handle (e.g. acme.bsky.social)", CHECKS.handle('bluesky'))).replace(/^@/, '');
        ownAccounts.bluesky = identifier;
        sources.push({ platform, identifier, appPasswordEnv: await env('the Bluesky app password', DEFAULT_ENV.bluesky) });
        break;
      }
      case 'reddit': {
        const subreddits = splitList(await q('Subreddits to watch (comma-separated; empty: all of Reddit)', optionalCheck(CHECKS.subreddits))).map((s) => s.replace(/^r\//, ''));
        const clientIdEnv = await env('your Reddit app client id', DEFAULT_ENV.redditId, false);
        const clientSecretEnv = clientIdEnv ? await env('its client secret', DEFAULT_ENV.redditSecret) : '';
        sources.push({ platform, subreddits: subreddits.length > 0 ? subreddits : undefined, clientIdEnv: clientIdEnv || undefined, clientSecretEnv: clientSecretEnv || undefined });
        break;
      }
      case 'hackernews':
        sources.push({ platform });
        break;
      case 'rss':
        sources.push({ platform, url: await q('Feed URL (Google Alerts: Deliver to → RSS feed, then copy the feed link)', CHECKS.feedUrl) });
        break;
      case 'facebook':
        sources.push({ platform, pageId: await q('Numeric id of the Facebook Page', CHECKS.pageId), pageTokenEnv: await env('the Page access token', DEFAULT_ENV.facebook) });
        break;
    }
  }
  return { brand, keywords, timezone, ownAccounts, sources };
}
