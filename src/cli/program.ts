import { Command, InvalidArgumentError, Option } from 'commander';
import type { Context, GlobalOptions } from './context.js';

/** Runs a command with the process context; `main.ts` supplies it. */
export type Runner = (
  load: () => Promise<{ run: (ctx: Context, ...args: never[]) => Promise<void> }>,
  args: unknown[],
  command: Command,
) => Promise<void>;

function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  }
  return Number(value);
}

/**
 * The command tree. Each action imports its command module only when it runs, so
 * `brandwatch --help` loads nothing heavy.
 */
export function buildProgram(runner: Runner): Command {
  const program = new Command('brandwatch')
    .description('Brand mention monitor: poll social platforms, triage the queue, prove response times.')
    .version('0.1.0')
    .option('--config <file>', 'config file (env BRANDWATCH_CONFIG; default $XDG_CONFIG_HOME/brandwatch/config.yml)')
    .option('--db <file|url>', 'SQLite database file, or a postgres:// URL for a shared team store (env BRANDWATCH_DB; default from config, else $XDG_DATA_HOME/brandwatch/brandwatch.db)')
    .option('--json', 'machine-readable output on stdout', false)
    .option('--no-color', 'no colours (also NO_COLOR)')
    .option('-q, --quiet', 'only errors on stderr', false)
    .option('-v, --verbose', 'more detail on stderr, stack traces on errors', false)
    .option('--as <name>', 'who you are in a team: recorded on your changes, replies and claims (env BRANDWATCH_AS; default your login name)')
    .showHelpAfterError('(run brandwatch --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failure, 2 usage or config error, 3 some sources failed, 75 try again later (lock held or rate limited).',
    );

  const action =
    (load: Parameters<Runner>[0]) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      await runner(load, args.slice(0, -1), command);
    };

  program
    .command('init')
    .description('write a commented starter config (asks when run in a terminal)')
    .option('--demo', 'configure the bundled offline sample platforms instead of real ones')
    .option('--brand <name>', 'brand name')
    .option('--keywords <list>', 'comma-separated keywords to watch')
    .option('--timezone <tz>', 'IANA time zone for reports (default: the system\'s)')
    .option('--platforms <list>', 'twitter, mastodon, bluesky, reddit, hackernews, rss, facebook (default: twitter)')
    .option('--twitter-handle <handle>', "the brand's own X account (tokens: TWITTER_BEARER_TOKEN, TWITTER_USER_TOKEN)")
    .option('--twitter-budget <posts>', 'monthly X read budget in posts (default 10000 ≈ $50)')
    .option('--mastodon-instance <url>', 'Mastodon instance URL (token: MASTODON_ACCESS_TOKEN)')
    .option('--mastodon-handle <handle>', "the brand's own Mastodon account")
    .option('--bluesky-handle <handle>', "the brand's Bluesky handle, also the sign-in (app password: BLUESKY_APP_PASSWORD)")
    .option('--reddit-subreddits <list>', 'subreddits to watch (default: all of Reddit)')
    .option('--rss-url <url>', 'a Google Alerts RSS feed (or any RSS/Atom feed)')
    .option('--facebook-page <id>', 'numeric Facebook Page id (token: FACEBOOK_PAGE_TOKEN)')
    .option('--force', 'overwrite an existing config file')
    .action(action(() => import('./commands/init.js')));

  program
    .command('demo')
    .description('offline tour: a throw-away config and database fed by the bundled sample platform, then poll and show the inbox')
    .option('--dir <folder>', 'where to put the demo config and database', 'brandwatch-demo')
    .action(action(() => import('./commands/demo.js')));

  program
    .command('poll')
    .description('fetch new mentions from every configured source (run it from cron)')
    .option('--platform <name>', 'only this platform or source name')
    .action(action(() => import('./commands/poll.js')));

  program
    .command('list')
    .description('the inbox as a table, most urgent first')
    .option('--status <status>', 'new, open, replied, private, resolved, ignored, spam, or "all" (default: new,open)')
    .option('--platform <name>', 'only this platform')
    .option('--since <when>', 'created since an ISO date or a relative age (7d, 24h)')
    .addOption(new Option('--limit <n>', 'at most n rows').argParser(parsePositiveInt).default(50))
    .option('--breached', 'only mentions past their first-response SLA (answered late, or unanswered past the deadline)')
    .option('--category <list>', 'only these categories: question, complaint, problem, feedback, praise, promo, other')
    .option('--author <handle>', "only this author's mentions")
    .option('--keyword <term>', 'only mentions that matched this configured keyword')
    .option('--search <words>', 'only mentions whose text has every word (word prefixes, any case or accent)')
    .option('--min-priority <level>', 'only at least this priority: low, normal, high, urgent, or a score 0–100')
    .option('--mine', 'only items assigned to you (team mode: `assign`, --as)')
    .option('--unassigned', 'only items assigned to nobody')
    .option('--fields <list>', 'with --json, only these fields (also written `--json id,text,priority`)')
    .action(action(() => import('./commands/list.js')));

  program
    .command('show')
    .description('one mention with author, reach, metrics, replies and history')
    .argument('<id>', 'mention id (from list)')
    .action(action(() => import('./commands/show.js')));

  program
    .command('report')
    .description('response-time report: rates, first-response times, SLA, expectations, backlog, API use')
    .option('--week <week>', 'ISO week (2026-W47), last or this, in the config time zone (default: last)')
    .option('--since <when>', 'period start: ISO date/time or a relative age (7d, 24h)')
    .option('--until <when>', 'period end (default: now)')
    .option('--by <dimension>', 'group by platform, keyword, category, day or person (who answered first; unanswered: the assignee)', 'platform')
    .option('--format <format>', 'table, json or html', 'table')
    .option('--out <file>', 'write to a file instead of stdout (e.g. report.html)')
    .option('--include-private', 'show direct messages\' text in the HTML report (left out by default)')
    .action(action(() => import('./commands/report.js')));

  program
    .command('export')
    .description('CSV for spreadsheets: one row per mention, or per platform per day (--what summary)')
    .option('--week <week>', 'ISO week (2026-W47), last or this, in the config time zone (default: last)')
    .option('--since <when>', 'period start: ISO date/time or a relative age (7d, 24h)')
    .option('--until <when>', 'period end (default: now)')
    .option('--what <rows>', 'mentions or summary', 'mentions')
    .option('--out <file>', 'write to a file (default: stdout)')
    .option('--bom', 'start with a UTF-8 byte-order mark (for Excel)')
    .option('--include-private', 'include direct messages\' text (left out by default)')
    .action(action(() => import('./commands/export.js')));

  program
    .command('doctor')
    .description('check config, credentials, database, reachability and API use; says what to fix (exit 1 when something is broken)')
    .action(action(() => import('./commands/doctor.js')));

  program
    .command('triage')
    .description('the interactive queue: one open mention at a time, most urgent first, one key per action (terminal only)')
    .option('--platform <name>', 'only this platform')
    .option('--category <list>', 'only these categories')
    .option('--author <handle>', "only this author's mentions")
    .option('--keyword <term>', 'only mentions that matched this configured keyword')
    .option('--search <words>', 'only mentions whose text has every word')
    .option('--min-priority <level>', 'only at least this priority: low, normal, high, urgent, or a score 0–100')
    .action(action(() => import('./commands/triage.js')));

  program
    .command('reply')
    .description('answer a mention on its platform (never posts twice: an unknown outcome is checked first)')
    .argument('<id>', 'mention id (from list)')
    .option('--text <text>', 'the reply')
    .option('--template <name>', 'a template from the config ({author}, {brand}, {url} are filled in)')
    .option('--dry-run', 'show exactly what would be sent, send nothing')
    .option('--open', 'when the API may not reply, open the web reply link in the browser')
    .option('--again', 'reply although the mention has a reply already')
    .option('--force', 'post even while an earlier attempt is pending or too recent to check')
    .option('--editor', 'write the reply in $VISUAL/$EDITOR (without --text, a terminal opens the composer)')
    .action(action(() => import('./commands/reply.js')));

  program
    .command('mark')
    .description('set the status (and category or a note) of mentions without replying')
    .argument('<id-and-status...>', 'one or more mention ids, then new, open, replied, private, resolved, ignored or spam')
    .option('--category <category>', 'question, complaint, problem, feedback, praise, promo or other (kept: never recomputed)')
    .option('--note <text>', 'a note for the history')
    .action(action(() => import('./commands/mark.js')));

  program
    .command('assign')
    .description('team mode: give an item to a person (--none: to nobody); `list --mine` shows yours')
    .argument('<id>', 'the mention id (a follow-up assigns its whole item)')
    .argument('[person]', 'who takes it, as they run brandwatch (--as / BRANDWATCH_AS / their login name)')
    .option('--none', 'unassign the item')
    .action(action(() => import('./commands/assign.js')));

  program
    .command('post')
    .description('a proactive public post (e.g. an outage notice) on every source that can post')
    .argument('<text>', 'the text of the post')
    .option('--platform <name>', 'only this platform or source name')
    .option('--dry-run', 'show what would be posted, post nothing')
    .option('--force', 'post even when an earlier post with this text has an unknown outcome')
    .option('--yes', 'post even when it costs more than usual (on X a post with a URL costs $0.20, not $0.015), without asking')
    .action(action(() => import('./commands/post.js')));

  program
    .command('watch')
    .description('poll in a loop, raising alerts (terminal line and bell, webhook); Ctrl-C stops cleanly')
    .option('--every <duration>', 'time between polls, ±10% jitter (e.g. 30s, 2m)', '5m')
    .option('--platform <name>', 'only this platform or source name')
    .option('--stream', "hold the platforms' streams (X filtered stream, Bluesky Jetstream, Mastodon streaming) where a source has one; poll the rest")
    .action(action(() => import('./commands/watch.js')));

  program
    .command('learn')
    .description("adapt the classifier to your own corrections and outcomes; prints its accuracy before and after (--eval: per category)")
    .option('--eval', 'only show how good the guesses are on your own labels, per category')
    .action(action(() => import('./commands/learn.js')));

  program
    .command('alerts')
    .description('the alert log, newest first, with webhook delivery state')
    .option('--since <when>', 'raised since an ISO date or a relative age (7d, 24h)')
    .option('--kind <kind>', 'new, sla_soon, breach, viral or spike')
    .addOption(new Option('--limit <n>', 'at most n entries').argParser(parsePositiveInt).default(50))
    .action(action(() => import('./commands/alerts.js')));

  program
    .command('migrate-store')
    .description('copy the SQLite store into an empty PostgreSQL database (team mode), checked row for row; the SQLite file is left as it is')
    .requiredOption('--to <url>', 'the PostgreSQL database, postgres://user@host:5432/database (password in PGPASSWORD or ~/.pgpass)')
    .action(action(() => import('./commands/migrate-store.js')));

  return program;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}
