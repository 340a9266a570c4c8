import { stringify } from 'yaml';

export interface StarterOptions {
  brand: string;
  keywords: (string | { term: string; exclude: string[] })[];
  twitterHandle?: string | undefined;
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
  if (options.demo) lines.push('ownAccounts:', `  sample: ${scalar(handle ?? 'fernhill_help')}`);
  else if (handle) lines.push('ownAccounts:', `  twitter: ${scalar(handle)}`);
  else lines.push('# ownAccounts:', '#   twitter: acme_help');
  lines.push('', 'sources:');
  if (options.demo) {
    lines.push('  # The bundled offline sample platforms: each plays one real platform (its voice, links and reply limit).');
    for (const [imitates, name, seed, rate] of DEMO_SOURCES) {
      lines.push(`  - platform: sample`, `    name: ${name}`, `    imitates: ${imitates}`, `    seed: ${seed}`, `    start: ${scalar(options.demo.start)}`, `    ratePerHour: ${rate}`);
    }
  } else {
    lines.push(
      '  - platform: twitter',
      '    bearerTokenEnv: TWITTER_BEARER_TOKEN   # app-only bearer token, read from this variable',
      '    # userTokenEnv: TWITTER_USER_TOKEN    # needed to reply',
      '    # monthlyReadBudget: 10000            # X bills per post read; poll never exceeds this',
      '    # queryLengthLimit: 512               # 1024 on full-archive plans',
      '    # backfill: 1d                        # how far back the first poll reaches (max 7d)',
    );
  }
  lines.push(
    '',
    '# First-response targets per platform (30m, 2h, 1d …).',
    'sla:',
    ...(options.demo ? ['  twitter: 1h', '  mastodon: 2h', '  bluesky: 2h'] : ['  twitter: 30m']),
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
