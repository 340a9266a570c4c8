/** The search flags `list` and `triage` share: parsed and checked here, so a typo is an error, never an empty inbox. */
import { UsageError } from '../errors.js';
import type { Context } from './context.js';
import { CATEGORIES, storedPlatforms, type Category, type MentionSearch } from '../store/mentions.js';
import { LEVEL_FLOOR, PRIORITY_LEVELS, type PriorityLevel } from '../triage/levels.js';

export interface SearchFlags {
  platform?: string;
  category?: string;
  author?: string;
  keyword?: string;
  search?: string;
  minPriority?: string;
}

export function parseCategories(text: string): Category[] {
  const names = text.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  for (const name of names) {
    if (!(CATEGORIES as readonly string[]).includes(name)) throw new UsageError(`--category: "${name}" is not a category (use ${CATEGORIES.join(', ')})`);
  }
  return names as Category[];
}

/** A level name (its floor: high = 50) or a score from 0 to 100. */
export function parseMinPriority(text: string): number {
  const value = text.trim().toLowerCase();
  if ((PRIORITY_LEVELS as readonly string[]).includes(value)) return LEVEL_FLOOR[value as PriorityLevel];
  if (/^\d+(\.\d+)?$/.test(value) && Number(value) <= 100) return Number(value);
  throw new UsageError(`--min-priority: "${text}" is not a level or score (use ${PRIORITY_LEVELS.join(', ')}, or 0–100)`);
}

/** Platform names `--platform` may use: every supported platform, the configured source names, and what the store holds. */
async function knownPlatforms(ctx: Context): Promise<string[]> {
  const { PLATFORMS } = await import('../config/schema.js');
  const names = new Set<string>(PLATFORMS);
  if (ctx.hasConfig()) for (const source of (await ctx.config()).config.sources) names.add(source.platform);
  for (const platform of await storedPlatforms((await ctx.store()).db)) names.add(platform);
  return [...names].sort();
}

export async function parseSearch(ctx: Context, flags: SearchFlags): Promise<MentionSearch> {
  const search: MentionSearch = {};
  if (flags.platform !== undefined) {
    const platform = flags.platform.trim().toLowerCase();
    const known = await knownPlatforms(ctx);
    if (!known.includes(platform)) throw new UsageError(`--platform: "${flags.platform}" is not a platform (use ${known.join(', ')})`);
    search.platform = platform;
  }
  if (flags.category !== undefined) search.categories = parseCategories(flags.category);
  if (flags.author !== undefined) {
    const author = flags.author.trim().replace(/^@/, '');
    if (author === '') throw new UsageError('--author is empty (give a handle, e.g. --author @dana_k)');
    search.author = author;
  }
  if (flags.keyword !== undefined) {
    const keyword = flags.keyword.trim();
    if (ctx.hasConfig()) {
      const terms = (await ctx.config()).config.keywords.map((k) => k.term);
      if (!terms.some((t) => t.toLowerCase() === keyword.toLowerCase())) throw new UsageError(`--keyword: "${keyword}" is not a configured keyword (use ${terms.join(', ')})`);
    }
    search.keyword = keyword;
  }
  if (flags.search !== undefined) {
    if (!/[\p{L}\p{N}]/u.test(flags.search)) throw new UsageError('--search needs a word to look for');
    search.search = flags.search;
  }
  if (flags.minPriority !== undefined) search.minPriority = parseMinPriority(flags.minPriority);
  return search;
}
