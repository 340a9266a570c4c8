import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { listMentions, STATUSES, type Mention, type Status } from '../../store/mentions.js';
import { OPEN_STATUSES } from '../../metrics/open.js';
import { parseWhen } from '../../time/when.js';
import { formatInstant } from '../../time/zone.js';
import { formatDuration } from '../../config/duration.js';
import { sanitizeLine, truncate } from '../../io/sanitize.js';

export interface ListOptions {
  status?: string;
  platform?: string;
  since?: string;
  limit: number;
  breached?: boolean;
}

export function parseStatuses(text: string | undefined): Status[] | undefined {
  if (text === undefined) return [...OPEN_STATUSES];
  if (text === 'all') return undefined;
  const statuses = text.split(',').map((s) => s.trim().toLowerCase());
  for (const status of statuses) {
    if (!(STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status: "${status}" is not a status (use ${STATUSES.join(', ')}, or all)`);
    }
  }
  return statuses as Status[];
}

export async function list(ctx: Context, options: ListOptions): Promise<Mention[]> {
  // Breaches include mentions answered late, so every status unless --status narrows it.
  const statuses = options.breached && options.status === undefined ? undefined : parseStatuses(options.status);
  const timeZone = await ctx.timeZone();
  let since: number | undefined;
  if (options.since !== undefined) {
    const parsed = parseWhen(options.since, ctx.now(), timeZone);
    if (parsed === null) throw new UsageError(`--since: "${options.since}" is not a date (use 2026-11-16, 2026-11-16T09:00, or 7d / 24h)`);
    since = parsed;
  }
  const store = await ctx.store();
  let condition: { sql: string; params: unknown[] } | undefined;
  if (options.breached) {
    const [{ config }, { responseClockFor }, { breachCondition, registerBusinessTimeSql }] = await Promise.all([
      ctx.config(),
      import('../../time/business.js'),
      import('../../metrics/sql.js'),
    ]);
    const clock = responseClockFor(config, timeZone);
    registerBusinessTimeSql(store.db, clock);
    condition = breachCondition(clock, config.sla, ctx.now());
  }
  return listMentions(store.db, {
    ...(statuses ? { statuses } : {}),
    ...(condition ? { condition } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
    ...(since !== undefined ? { since } : {}),
    limit: options.limit,
  });
}

export async function run(ctx: Context, options: ListOptions): Promise<void> {
  const mentions = await list(ctx, options);
  const timeZone = await ctx.timeZone();
  if (ctx.io.json) {
    ctx.io.outJson(mentions.map((m) => mentionJson(m, timeZone)));
    return;
  }
  if (mentions.length === 0) {
    ctx.io.info('no mentions match (try --status all, or run brandwatch poll)');
    return;
  }
  ctx.io.out(await renderMentionTable(ctx, mentions, timeZone));
}

/** The stable JSON shape of a mention in `list --json` and `show --json`. */
export function mentionJson(m: Mention, timeZone: string) {
  return {
    id: m.id,
    platform: m.platform,
    source: m.source,
    externalId: m.externalId,
    url: m.url,
    author: { handle: m.authorHandle, name: m.authorName, id: m.authorId, followers: m.authorFollowers },
    text: m.text,
    lang: m.lang,
    createdAt: formatInstant(m.createdAt, timeZone),
    fetchedAt: formatInstant(m.fetchedAt, timeZone),
    keywords: m.keywords,
    inReplyTo: m.inReplyTo,
    conversationId: m.conversationId,
    metrics: { likes: m.likes, reposts: m.reposts, replies: m.replies, quotes: m.quotes },
    sentiment: m.sentiment,
    category: m.category,
    priority: m.priority,
    status: m.status,
    statusChangedAt: formatInstant(m.statusChangedAt, timeZone),
    firstResponseAt: m.firstResponseAt === null ? null : formatInstant(m.firstResponseAt, timeZone),
  };
}

/** A pretty table on a terminal; tab-separated with RFC 3339 times when piped. */
export async function renderMentionTable(ctx: Context, mentions: readonly Mention[], timeZone: string): Promise<string> {
  const { color } = ctx.io;
  const now = ctx.now();
  if (!ctx.io.stdoutIsTTY) {
    return mentions
      .map((m) =>
        [m.id, m.platform, formatInstant(m.createdAt, timeZone), sanitizeLine(m.authorHandle), m.authorFollowers ?? '', m.status, m.category ?? '', sanitizeLine(m.text).replace(/\t/g, ' ')].join('\t'),
      )
      .join('\n');
  }
  const { default: Table } = await import('cli-table3');
  const textWidth = Math.max(20, ctx.io.columns - 62);
  const table = new Table({
    head: ['id', 'age', 'platform', 'author', 'status', 'category', 'text'].map((h) => color.bold(h)),
    style: { head: [], border: [] },
    wordWrap: false,
  });
  for (const m of mentions) {
    const age = formatDuration(now - m.createdAt);
    const followers = m.authorFollowers !== null ? color.dim(` ${compactNumber(m.authorFollowers)}`) : '';
    table.push([
      String(m.id),
      age,
      m.platform,
      `@${truncate(sanitizeLine(m.authorHandle), 18)}${followers}`,
      statusColor(ctx, m.status),
      m.category ?? color.dim('—'),
      truncate(sanitizeLine(m.text), textWidth),
    ]);
  }
  return table.toString();
}

function statusColor(ctx: Context, status: Status): string {
  const { color } = ctx.io;
  switch (status) {
    case 'new':
      return color.bold.yellow(status);
    case 'open':
      return color.yellow(status);
    case 'replied':
      return color.green(status);
    case 'private':
    case 'resolved':
      return color.cyan(status);
    default:
      return color.dim(status);
  }
}

export function compactNumber(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 1_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return String(n);
}
