import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram, globalOptions } from '../../src/cli/program.js';

interface Parsed {
  command: string;
  args: unknown[];
  options: Record<string, unknown>;
  globals: Record<string, unknown>;
}

/** Parse a command line with a runner that records what the command would get, running nothing. */
async function parse(argv: string[]): Promise<Parsed> {
  let parsed: Parsed | null = null;
  const program = buildProgram(async (_load, args, command: Command) => {
    const { config, db, json, color, quiet, verbose } = globalOptions(command);
    parsed = { command: command.name(), args: args.slice(0, -1), options: command.opts(), globals: { config, db, json, color, quiet, verbose } };
  });
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync(argv, { from: 'user' });
  if (!parsed) throw new Error(`no command ran for ${argv.join(' ')}`);
  return parsed;
}

const DEFAULT_GLOBALS = { config: undefined, db: undefined, json: false, color: true, quiet: false, verbose: false };

describe('argv → options', () => {
  const cases: [string[], Partial<Parsed>][] = [
    [['poll'], { command: 'poll', options: {} }],
    [['poll', '--platform', 'twitter'], { command: 'poll', options: { platform: 'twitter' } }],
    [['--config', 'c.yml', '--db', 'x.db', 'poll'], { command: 'poll', globals: { ...DEFAULT_GLOBALS, config: 'c.yml', db: 'x.db' } }],
    [['poll', '--json', '-q'], { command: 'poll', globals: { ...DEFAULT_GLOBALS, json: true, quiet: true } }],
    [['--no-color', '-v', 'list'], { command: 'list', globals: { ...DEFAULT_GLOBALS, color: false, verbose: true } }],
    [['list'], { command: 'list', options: { limit: 50 } }],
    [['list', '--status', 'all', '--limit', '7', '--since', '7d', '--breached'], { command: 'list', options: { status: 'all', limit: 7, since: '7d', breached: true } }],
    [['show', '42'], { command: 'show', args: ['42'] }],
    [['report'], { command: 'report', options: { by: 'platform', format: 'table' } }],
    [['report', '--week', '2026-W47', '--by', 'day', '--format', 'html', '--out', 'r.html'], { command: 'report', options: { week: '2026-W47', by: 'day', format: 'html', out: 'r.html' } }],
    [['export', '--since', '2026-11-01', '--until', '2026-11-08', '--what', 'summary', '--bom'], { command: 'export', options: { since: '2026-11-01', until: '2026-11-08', what: 'summary', bom: true } }],
    [['reply', '58', '--text', 'hi', '--dry-run'], { command: 'reply', args: ['58'], options: { text: 'hi', dryRun: true } }],
    [['reply', '58', '--template', 'take-private', '--open'], { command: 'reply', args: ['58'], options: { template: 'take-private', open: true } }],
    [['mark', '1', '2', 'spam', '--note', 'bot'], { command: 'mark', args: [['1', '2', 'spam']], options: { note: 'bot' } }],
    [['mark', '3', 'resolved', '--category', 'praise'], { command: 'mark', args: [['3', 'resolved']], options: { category: 'praise' } }],
    [['post', 'We are back', '--platform', 'mastodon', '--force'], { command: 'post', args: ['We are back'], options: { platform: 'mastodon', force: true } }],
    [['watch'], { command: 'watch', options: { every: '5m' } }],
    [['watch', '--every', '30s'], { command: 'watch', options: { every: '30s' } }],
    [['alerts', '--kind', 'breach', '--limit', '5'], { command: 'alerts', options: { kind: 'breach', limit: 5 } }],
    [['triage', '--platform', 'bluesky'], { command: 'triage', options: { platform: 'bluesky' } }],
    [['init', '--brand', 'Acme', '--keywords', 'acme,acme corp', '--twitter-handle', 'acme_help', '--force'], { command: 'init', options: { brand: 'Acme', keywords: 'acme,acme corp', twitterHandle: 'acme_help', force: true } }],
    [['demo'], { command: 'demo', options: { dir: 'brandwatch-demo' } }],
    [['doctor'], { command: 'doctor', options: {} }],
    [['learn'], { command: 'learn', options: {} }],
    [['learn', '--eval', '--json'], { command: 'learn', options: { eval: true }, globals: { ...DEFAULT_GLOBALS, json: true } }],
  ];

  it.each(cases)('%j', async (argv, expected) => {
    const parsed = await parse(argv);
    expect(parsed.command).toBe(expected.command);
    if (expected.args) expect(parsed.args).toEqual(expected.args);
    if (expected.options) expect(parsed.options).toEqual(expected.options);
    expect(parsed.globals).toEqual(expected.globals ?? DEFAULT_GLOBALS);
  });

  const refused: [string[], RegExp][] = [
    [['list', '--limit', '0'], /not a positive whole number/],
    [['list', '--limit', 'lots'], /not a positive whole number/],
    [['alerts', '--limit', '-3'], /.+/],
    [['frobnicate'], /unknown command/],
    [['poll', '--bogus'], /unknown option/],
    [['show'], /missing required argument/],
  ];
  it.each(refused)('refuses %j', async (argv, message) => {
    await expect(parse(argv)).rejects.toThrow(message);
  });
});
