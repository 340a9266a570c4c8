import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { countMatching, listMentions, STATUSES, type Mention, type MentionFilter, type Status } from '../../store/mentions.js';
import { OPEN_STATUSES, isOpenItem } from '../../metrics/open.js';
import { parseWhen } from '../../time/when.js';
import { formatInstant } from '../../time/zone.js';
import { sanitizeLine } from '../../io/sanitize.js';
import { renderTable, renderTsv, type Cell, type Column } from '../../io/table.js';
import { relativeTime } from '../../time/relative.js';
import { parseSearch, type SearchFlags } from '../filters.js';
import { MENTION_FIELDS } from '../json-fields.js';
import { priorityLevel } from '../../triage/levels.js';
import { mentionJson } from '../mention-json.js';
import type { Db } from '../../store/open.js';
import type { Config } from '../../config/schema.js';

export interface ListOptions extends SearchFlags {
  status?: string;
  since?: string;
  limit: number;
  breached?: boolean;
  /** `--json id,text,…` (src/cli/json-fields.ts): only these fields. */
  fields?: string;
  /** Only the items assigned to the person running the command (`--as`). */
  mine?: boolean;
  /** Only the items assigned to nobody. */
  unassigned?: boolean;
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

export function parseFields(text: string): (typeof MENTION_FIELDS)[number][] {
  const fields = text.split(',').map((f) => f.trim()).filter(Boolean);
  for (const field of fields) {
    if (!(MENTION_FIELDS as readonly string[]).includes(field)) throw new UsageError(`--json: "${field}" is not a field (use ${MENTION_FIELDS.join(', ')})`);
  }
  if (fields.length === 0) throw new UsageError(`--json: name at least one field (${MENTION_FIELDS.join(', ')})`);
  return fields as (typeof MENTION_FIELDS)[number][];
}

export interface ListResult {
  mentions: Mention[];
  /** How many match without --limit. */
  total: number;
}

async function filterOf(ctx: Context, options: ListOptions): Promise<MentionFilter> {
  // Breaches include mentions answered late, so every status unless --status narrows it.
  const statuses = options.breached && options.status === undefined ? undefined : parseStatuses(options.status);
  const timeZone = await ctx.timeZone();
  let since: number | undefined;
  if (options.since !== undefined) {
    const parsed = parseWhen(options.since, ctx.now(), timeZone);
    if (parsed === null) throw new UsageError(`--since: "${options.since}" is not a date (use 2026-11-16, 2026-11-16T09:00, or 7d / 24h)`);
    since = parsed;
  }
  const search = await parseSearch(ctx, options);
  if (options.mine && options.unassigned) throw new UsageError('--mine and --unassigned exclude each other; give one');
  const assignedTo = options.mine ? ctx.person() : options.unassigned ? null : undefined;
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
  return {
    ...search,
    ...(statuses ? { statuses } : {}),
    ...(condition ? { condition } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(assignedTo !== undefined ? { assignedTo } : {}),
  };
}

export async function listWithTotal(ctx: Context, options: ListOptions): Promise<ListResult> {
  const filter = await filterOf(ctx, options);
  const store = await ctx.store();
  const mentions = await listMentions(store.db, { ...filter, limit: options.limit });
  const total = mentions.length < options.limit ? mentions.length : await countMatching(store.db, filter);
  return { mentions, total };
}

export async function list(ctx: Context, options: ListOptions): Promise<Mention[]> {
  return (await listWithTotal(ctx, options)).mentions;
}

export async function run(ctx: Context, options: ListOptions): Promise<void> {
  const fields = options.fields !== undefined ? parseFields(options.fields) : null;
  if (fields && !ctx.io.json) throw new UsageError('--fields goes with --json (e.g. `--json id,text,priority`)');
  const { mentions, total } = await listWithTotal(ctx, options);
  const timeZone = await ctx.timeZone();
  if (ctx.io.json) {
    const slas = await slaDeadlines(ctx, mentions);
    const rows = mentions.map((m) => ({ ...mentionJson(m, timeZone), slaDeadline: slas.get(m.id) === undefined ? null : formatInstant(slas.get(m.id)!, timeZone) }));
    ctx.io.outJson(fields ? rows.map((row) => Object.fromEntries(fields.map((f) => [f, row[f]]))) : rows);
    return;
  }
  if (mentions.length === 0) {
    ctx.io.info(`no mentions match (try --status all${options.category || options.search || options.author || options.keyword || options.minPriority || options.mine || options.unassigned ? ', fewer filters' : ''}, or run ${ctx.invocation('poll')})`);
    return;
  }
  ctx.io.out(await renderMentionTable(ctx, mentions, timeZone));
  if (ctx.io.stdoutIsTTY) {
    ctx.io.info(`showing ${mentions.length} of ${total}${total > mentions.length ? ` (--limit ${total} for all)` : ''}`);
  }
}

/** The first-response deadline of each open item (the one SLA rule, src/metrics/sla.ts), on the configured clock. */
async function slaDeadlines(ctx: Context, mentions: readonly Mention[]): Promise<Map<number, number>> {
  const deadlines = new Map<number, number>();
  const open = mentions.filter(isOpenItem);
  if (open.length === 0) return deadlines;
  const [{ slaStanding, slaTarget, responseClockOf, DEFAULT_SLA }, { waitingSince }] = await Promise.all([import('../../metrics/sla.js'), import('../../triage/assess.js')]);
  const config: Pick<Config, 'sla' | 'businessHours' | 'timezone'> = ctx.hasConfig() ? (await ctx.config()).config : { sla: DEFAULT_SLA };
  const db: Db = (await ctx.store()).db;
  const clock = responseClockOf(config);
  const now = ctx.now();
  for (const m of open) deadlines.set(m.id, slaStanding(await waitingSince(db, m), slaTarget(config, m.platform, m.channel), clock, now).deadline);
  return deadlines;
}

// On a narrow terminal the text keeps room: status goes first (the default list is new and open), then age, then category.
const MENTION_COLUMNS: readonly Column[] = [
  { header: 'id', align: 'right' },
  { header: 'priority' },
  { header: 'sla' },
  { header: 'age', optional: 2 },
  { header: 'platform' },
  { header: 'author', shrink: true, min: 10 },
  { header: 'status', optional: 1 },
  { header: 'category', optional: 3 },
  { header: 'text', shrink: true, min: 24 },
];

/** A deadline at a glance: the largest unit only past an hour ("due in 45m", "due in 3h", "over by 12d"). */
function slaText(left: number): string {
  const abs = Math.abs(left);
  const minutes = Math.floor(abs / 60_000);
  const amount = minutes < 60 ? `${minutes}m` : minutes < 48 * 60 ? `${Math.floor(minutes / 60)}h` : `${Math.floor(minutes / 1440)}d`;
  return left >= 0 ? `due in ${amount}` : `over by ${amount}`;
}

/**
 * On a terminal: gh-style columns fitted to the width (priority level and score, SLA due in / over by,
 * relative age); piped: tab-separated with RFC 3339 times, the same eight fields as ever.
 */
export async function renderMentionTable(ctx: Context, mentions: readonly Mention[], timeZone: string): Promise<string> {
  const { color } = ctx.io;
  const now = ctx.now();
  if (!ctx.io.stdoutIsTTY) {
    return renderTsv(
      mentions.map((m) => [m.id, m.platform, formatInstant(m.createdAt, timeZone), sanitizeLine(m.authorHandle), m.authorFollowers, m.status, m.category ?? '', sanitizeLine(m.text)]),
    );
  }
  const deadlines = await slaDeadlines(ctx, mentions);
  const rows: Cell[][] = mentions.map((m) => {
    const level = priorityLevel(m.priority);
    const deadline = deadlines.get(m.id);
    const left = deadline === undefined ? null : deadline - now;
    const followers = m.authorFollowers !== null ? ` ${compactNumber(m.authorFollowers)}` : '';
    return [
      String(m.id),
      { text: `${level.padEnd(6)} ${String(Math.round(m.priority)).padStart(3)}`, color: level === 'urgent' ? color.red.bold : level === 'high' ? color.yellow : (t) => t },
      left === null ? { text: '—', color: color.dim } : { text: slaText(left), color: left < 0 ? color.red : color.green },
      relativeTime(m.createdAt, now),
      m.channel === 'dm' ? `${m.platform} DM` : m.platform,
      `@${sanitizeLine(m.authorHandle)}${followers}`,
      { text: m.status, color: statusPainter(ctx, m.status) },
      !m.categoryManual && m.categoryUnsure ? { text: 'unsure', color: color.dim } : (m.category ?? '—'),
      sanitizeLine(m.text),
    ];
  });
  return renderTable(MENTION_COLUMNS, rows, { width: ctx.io.columns, header: color.bold });
}

function statusPainter(ctx: Context, status: Status): (text: string) => string {
  const { color } = ctx.io;
  switch (status) {
    case 'new':
      return color.bold.yellow;
    case 'open':
      return color.yellow;
    case 'replied':
      return color.green;
    case 'private':
    case 'resolved':
      return color.cyan;
    default:
      return color.dim;
  }
}

export function compactNumber(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 1_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return String(n);
}
