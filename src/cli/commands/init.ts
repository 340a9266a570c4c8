import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { starterConfig, type StarterOptions } from '../../config/template.js';
import { parseConfig } from '../../config/load.js';
import { systemTimeZone } from '../../time/zone.js';

export interface InitOptions {
  demo?: boolean;
  brand?: string;
  keywords?: string;
  twitterHandle?: string;
  timezone?: string;
  force?: boolean;
}

export async function run(ctx: Context, options: InitOptions): Promise<void> {
  const path = ctx.configPath();
  if (existsSync(path) && !options.force) {
    throw new UsageError(`${path} already exists; pass --force to overwrite it, or --config <file> to write elsewhere`);
  }
  const answers = ctx.io.stdinIsTTY && ctx.io.stdoutIsTTY && !options.brand ? await ask(ctx, options) : fromFlags(options, ctx.now());
  const text = starterConfig(answers);
  parseConfig(text, path); // what we write must load
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  ctx.io.info(`wrote ${path}`);
  if (!answers.demo) ctx.io.info('next: export TWITTER_BEARER_TOKEN=…, then run `brandwatch doctor` and `brandwatch poll`');
}

function fromFlags(options: InitOptions, now: number): StarterOptions {
  if (!options.brand) {
    throw new UsageError('init needs --brand <name> when not run in a terminal (and usually --keywords a,b and --twitter-handle)');
  }
  const keywords = (options.keywords ?? options.brand)
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  return {
    brand: options.brand,
    keywords,
    twitterHandle: options.twitterHandle,
    timezone: options.timezone ?? systemTimeZone(),
    demo: options.demo ? { start: new Date(now - 14 * 86_400_000).toISOString() } : undefined,
  };
}

async function ask(ctx: Context, options: InitOptions): Promise<StarterOptions> {
  const { input, confirm } = ctx.prompter;
  const brand = await input({ message: 'Brand name', required: true });
  const keywords = await input({ message: 'Keywords to watch (comma-separated)', default: brand.toLowerCase() });
  const twitterHandle = await input({ message: "The brand's X account (without @; empty to skip)" });
  const timezone = await input({ message: 'Time zone for reports', default: options.timezone ?? systemTimeZone() });
  const demo = options.demo ?? (await confirm({ message: 'Start with the offline sample platform instead of X?', default: false }));
  return fromFlags({ brand, keywords, twitterHandle: twitterHandle || undefined, timezone, demo }, ctx.now());
}
