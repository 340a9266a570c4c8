import { stringify } from 'yaml';

/** One source as `init` asks for it: the platform's own keys, secrets named by environment variable. */
export type SourceAnswer =
  | { platform: 'twitter'; bearerTokenEnv: string; userTokenEnv?: string | undefined; monthlyReadBudget: number }
  | { platform: 'mastodon'; instanceUrl: string; accessTokenEnv?: string | undefined }
  | { platform: 'bluesky'; identifier: string; appPasswordEnv: string }
  | { platform: 'reddit'; subreddits?: string[] | undefined; clientIdEnv?: string | undefined; clientSecretEnv?: string | undefined }
  | { platform: 'hackernews' }
  | { platform: 'rss'; url: string }
  | { platform: 'facebook'; pageId: string; pageTokenEnv: string };

/** What X's pay-per-use reads cost (PLATFORMS.md: $0.005 a post read), for the budget's comment. */
export const X_POST_READ_USD = 0.005;
/** A small brand's month of X mentions with room to spare: 10,000 posts ≈ $50. */
export const DEFAULT_X_READ_BUDGET = 10_000;

export interface StarterOptions {
  brand: string;
  keywords: (string | { term: string; exclude: string[] })[];
  twitterHandle?: string | undefined;
  /** The brand's own accounts per platform (beside twitterHandle). */
  ownAccounts?: Record<string, string> | undefined;
  /** The sources to write; default: one X source. */
  sources?: readonly SourceAnswer[] | undefined;
  timezone?: string | undefined;
  /** Use the bundled sample platforms (X, Mastodon, Bluesky, a Google Alerts feed) instead of real sources. */
  demo?: { start: string } | undefined;
  database?: string | undefined;
}

/** The demo's sample platforms: what each imitates, its source name, seed and mentions per hour. */
const DEMO_SOURCES: readonly [string, string, number, number][] = [
  ['twitter', 'x-sample', 1, 0.7],
  ['mastodon', 'mastodon-sample', 2, 0.25],
  ['bluesky', 'bluesky-sample', 3, 0.3],
  ['rss', 'google-alerts-sample', 4, 0.08],
];

/** A YAML scalar, quoted when needed. */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** The commented starter config that `init` and `demo` write. */
export function starterConfig(options: StarterOptions): string {
  const handle = options.twitterHandle?.replace(/^@/, '');
  const lines: string[] = [
    '# brandwatch configuration — see the README for every key.',
    '# Secrets never go in this file: name the environment variables that hold them.',
    '',
    `brand: ${scalar(options.brand)}`,
  ];
  if (options.timezone) lines.push(`timezone: ${scalar(options.timezone)}          # reports, weeks and dates use this zone`);
  else lines.push('# timezone: Europe/London      # default: the system time zone');
  if (options.database) lines.push(`database: ${scalar(options.database)}          # relative to this file`);
  else lines.push('# database: brandwatch.db      # default: $XDG_DATA_HOME/brandwatch/brandwatch.db');
  lines.push('', '# What to watch. Each keyword may list noise phrases to exclude.', 'keywords:');
  for (const [index, keyword] of options.keywords.entries()) {
    const { term, exclude } = typeof keyword === 'string' ? { term: keyword, exclude: [] } : keyword;
    lines.push(`  - term: ${scalar(term)}`);
    if (exclude.length > 0) lines.push(`    exclude: [${exclude.map(scalar).join(', ')}]`);
    else if (index === 0) lines.push('    # exclude: [some unrelated phrase]');
  }
  lines.push('', "# The brand's own accounts: their posts are our replies, never mentions.");
  const own = { ...(handle && !options.demo ? { twitter: handle } : {}), ...(options.ownAccounts ?? {}) };
  if (options.demo) lines.push('ownAccounts:', `  sample: ${scalar(handle ?? 'fernhill_help')}`);
  else if (Object.keys(own).length > 0) lines.push('ownAccounts:', ...Object.entries(own).map(([p, h]) => `  ${p}: ${scalar(h.replace(/^@/, ''))}`));
  else lines.push('# ownAccounts:', '#   twitter: acme_help');
  lines.push('', 'sources:');
  if (options.demo) {
    lines.push('  # The bundled offline sample platforms: each plays one real platform (its voice, links and reply limit).');
    for (const [imitates, name, seed, rate] of DEMO_SOURCES) {
      lines.push(`  - platform: sample`, `    name: ${name}`, `    imitates: ${imitates}`, `    seed: ${seed}`, `    start: ${scalar(options.demo.start)}`, `    ratePerHour: ${rate}`);
    }
  } else {
    for (const source of options.sources ?? [{ platform: 'twitter', bearerTokenEnv: 'TWITTER_BEARER_TOKEN', monthlyReadBudget: DEFAULT_X_READ_BUDGET }]) lines.push(...sourceLines(source));
  }
  lines.push(
    '',
    '# First-response targets per platform (30m, 2h, 1d …).',
    'sla:',
    ...(options.demo ? ['  twitter: 1h', '  mastodon: 2h', '  bluesky: 2h'] : slaLines(options.sources)),
    '  default: 24h',
    '',
    '# Reply templates: {author}, {brand} and {url} are filled in.',
    'templates:',
    `  take-private: ${scalar("Sorry to hear that, @{author}. Please DM us your account number and we'll sort it out.")}`,
    `  thanks: ${scalar('Thank you @{author}, that made our day!')}`,
    '',
  );
  return lines.join('\n');
}

/** Customers' expectations by platform (DESIGN §1): X within the half hour, Facebook within two, the rest the same day. */
function slaLines(sources: readonly SourceAnswer[] | undefined): string[] {
  const platforms = new Set((sources ?? [{ platform: 'twitter' }]).map((s) => s.platform));
  const lines: string[] = [];
  if (platforms.has('twitter')) lines.push('  twitter: 30m');
  if (platforms.has('facebook')) lines.push('  facebook: 2h');
  for (const p of ['mastodon', 'bluesky'] as const) if (platforms.has(p)) lines.push(`  ${p}: 2h`);
  return lines;
}

function sourceLines(source: SourceAnswer): string[] {
  const optional = (key: string, value: string | undefined, example: string, why: string) =>
    value ? `    ${key}: ${scalar(value)}${' '.repeat(Math.max(1, 26 - key.length - value.length))}# ${why}` : `    # ${key}: ${example}${' '.repeat(Math.max(1, 24 - key.length - example.length))}# ${why}`;
  switch (source.platform) {
    case 'twitter': {
      const dollars = Math.round(source.monthlyReadBudget * X_POST_READ_USD);
      return [
        '  - platform: twitter',
        `    bearerTokenEnv: ${source.bearerTokenEnv}   # app-only bearer token, read from this variable`,
        optional('userTokenEnv', source.userTokenEnv, 'TWITTER_USER_TOKEN', 'needed to reply'),
        `    # X bills every post read ($${X_POST_READ_USD} each, pay-per-use): ${source.monthlyReadBudget.toLocaleString('en')} posts ≈ $${dollars} a month.`,
        '    # poll stops this source for the month at the budget, and doctor and report show the projection.',
        `    monthlyReadBudget: ${source.monthlyReadBudget}`,
        '    # queryLengthLimit: 512               # 1024 on full-archive plans',
        '    # backfill: 1d                        # how far back the first poll reaches (max 7d)',
      ];
    }
    case 'mastodon':
      return ['  - platform: mastodon', `    instanceUrl: ${scalar(source.instanceUrl)}`, optional('accessTokenEnv', source.accessTokenEnv, 'MASTODON_ACCESS_TOKEN', 'needed to reply and for full-text search')];
    case 'bluesky':
      return ['  - platform: bluesky', `    identifier: ${scalar(source.identifier)}          # the account brandwatch signs in as`, `    appPasswordEnv: ${source.appPasswordEnv}   # an app password (Settings → App passwords)`];
    case 'reddit':
      return [
        '  - platform: reddit',
        source.subreddits && source.subreddits.length > 0 ? `    subreddits: [${source.subreddits.map(scalar).join(', ')}]` : '    # subreddits: [broadband]             # default: all of Reddit',
        optional('clientIdEnv', source.clientIdEnv, 'REDDIT_CLIENT_ID', 'an app of your own: higher limits, replies'),
        optional('clientSecretEnv', source.clientSecretEnv, 'REDDIT_CLIENT_SECRET', 'its secret'),
      ];
    case 'hackernews':
      return ['  - platform: hackernews             # public search (Algolia), no account needed'];
    case 'rss':
      return ['  - platform: rss                    # Google Alerts (Deliver to: RSS feed) or any RSS/Atom feed', `    url: ${scalar(source.url)}`];
    case 'facebook':
      return ['  - platform: facebook', `    pageId: ${scalar(source.pageId)}`, `    pageTokenEnv: ${source.pageTokenEnv}   # a Page access token`];
  }
}

/** The environment variables a config's sources read, for init's closing hint. */
export function secretNames(sources: readonly SourceAnswer[]): string[] {
  const names: (string | undefined)[] = [];
  for (const s of sources) {
    if (s.platform === 'twitter') names.push(s.bearerTokenEnv, s.userTokenEnv);
    if (s.platform === 'mastodon') names.push(s.accessTokenEnv);
    if (s.platform === 'bluesky') names.push(s.appPasswordEnv);
    if (s.platform === 'reddit') names.push(s.clientIdEnv, s.clientSecretEnv);
    if (s.platform === 'facebook') names.push(s.pageTokenEnv);
  }
  return names.filter((n): n is string => Boolean(n));
}
