import type { Db } from './open.js';
import type { EngineKind, Params } from './engine.js';
import { equalsIgnoringCase, jsonArrayValues, limitValue, never, textSearch } from './dialect.js';
import type { Channel, NewMention } from '../sources/types.js';
import type { EngagementReading } from '../metrics/engagement.js';
import { OPEN_STATUSES, openSql } from '../metrics/open.js';
import { STATUSES as STATUS_LIST } from '../metrics/vocabulary.js';
import { prepareSearch } from './search-index.js';

export { CATEGORIES, STATUSES, type Category, type Status } from '../metrics/vocabulary.js';
import type { Category, Status } from '../metrics/vocabulary.js';

/** A stored mention, as the rest of the product reads it. */
export interface Mention {
  id: number;
  platform: string;
  source: string;
  externalId: string;
  url: string | null;
  authorHandle: string;
  authorName: string | null;
  authorId: string | null;
  authorFollowers: number | null;
  text: string;
  lang: string | null;
  createdAt: number;
  fetchedAt: number;
  keyword: string | null;
  keywords: string[];
  inReplyTo: string | null;
  conversationId: string | null;
  summonsBrand: boolean;
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
  sentiment: number | null;
  category: Category | null;
  categoryManual: boolean;
  /** How sure the classifier was of the category (null: guessed before the model, or set by hand). */
  categoryConfidence: number | null;
  categoryUnsure: boolean;
  priority: number;
  status: Status;
  statusChangedAt: number;
  firstResponseAt: number | null;
  threadId: number | null;
  /** The engagement counters as the poll before the last one read them (src/metrics/engagement.ts), when known. */
  previousEngagement: EngagementReading | null;
  metricsUpdatedAt: number | null;
  /** A direct message, or a public post. */
  channel: Channel;
  dmConversationId: string | null;
  /** When the item went private (taken private, or a DM joined or opened it). */
  privateAt: number | null;
  firstPrivateResponseAt: number | null;
  resolvedAt: number | null;
  /** The person the item is assigned to (`assign`), if anyone. */
  assignedTo: string | null;
}

interface MentionRow {
  id: number;
  platform: string;
  source: string;
  external_id: string;
  url: string | null;
  author_handle: string;
  author_name: string | null;
  author_id: string | null;
  author_followers: number | null;
  text: string;
  lang: string | null;
  created_at: number;
  fetched_at: number;
  keyword: string | null;
  keywords: string;
  in_reply_to: string | null;
  conversation_id: string | null;
  summons_brand: number;
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
  sentiment: number | null;
  category: Category | null;
  category_manual: number;
  category_confidence?: number | null;
  category_unsure?: number;
  priority: number;
  status: Status;
  status_changed_at: number;
  first_response_at: number | null;
  thread_id: number | null;
  prev_likes?: number | null;
  prev_reposts?: number | null;
  prev_replies?: number | null;
  prev_quotes?: number | null;
  prev_metrics_at?: number | null;
  metrics_updated_at?: number | null;
  channel?: Channel;
  dm_conversation_id?: string | null;
  private_at?: number | null;
  first_private_response_at?: number | null;
  resolved_at?: number | null;
  assigned_to?: string | null;
}

export function rowToMention(row: MentionRow): Mention {
  return {
    id: row.id,
    platform: row.platform,
    source: row.source,
    externalId: row.external_id,
    url: row.url,
    authorHandle: row.author_handle,
    authorName: row.author_name,
    authorId: row.author_id,
    authorFollowers: row.author_followers,
    text: row.text,
    lang: row.lang,
    createdAt: row.created_at,
    fetchedAt: row.fetched_at,
    keyword: row.keyword,
    keywords: JSON.parse(row.keywords) as string[],
    inReplyTo: row.in_reply_to,
    conversationId: row.conversation_id,
    summonsBrand: row.summons_brand === 1,
    likes: row.likes,
    reposts: row.reposts,
    replies: row.replies,
    quotes: row.quotes,
    sentiment: row.sentiment,
    category: row.category,
    categoryManual: row.category_manual === 1,
    categoryConfidence: row.category_confidence ?? null,
    categoryUnsure: row.category_unsure === 1,
    priority: row.priority,
    status: row.status,
    statusChangedAt: row.status_changed_at,
    firstResponseAt: row.first_response_at,
    threadId: row.thread_id,
    previousEngagement:
      row.prev_metrics_at != null
        ? { likes: row.prev_likes ?? 0, reposts: row.prev_reposts ?? 0, replies: row.prev_replies ?? 0, quotes: row.prev_quotes ?? 0, at: row.prev_metrics_at }
        : null,
    metricsUpdatedAt: row.metrics_updated_at ?? null,
    channel: row.channel ?? 'public',
    dmConversationId: row.dm_conversation_id ?? null,
    privateAt: row.private_at ?? null,
    firstPrivateResponseAt: row.first_private_response_at ?? null,
    resolvedAt: row.resolved_at ?? null,
    assignedTo: row.assigned_to ?? null,
  };
}

/** Fields the triage layer may compute at ingest. */
export interface Assessment {
  category: Category | null;
  sentiment: number | null;
  priority: number;
  /** The category's probability, when a model guessed it. */
  confidence?: number | null;
  /** Below the confidence floor or in an untrained language: shown as "unsure". */
  unsure?: boolean;
  /**
   * The priority no longer moves with time (src/triage/assess.ts settled): stored as not due (migration 015), so
   * the poll's recompute skips it until an input changes. Without it a new item's priority is due at once.
   */
  settled?: boolean;
}

/**
 * The first guess at ingest of a mention, its priority as of `fetchedAt` (the row's reading time) when given;
 * `ready`, when given, is awaited before the first page with mentions is stored.
 */
export type AssessHook = ((mention: NewMention, fetchedAt?: number) => Assessment) & {
  ready?: () => Promise<void>;
  /** Run in each page's transaction before its mentions are stored (the priority config a settled priority was computed with). */
  beforeStore?: (tx: Db) => Promise<void>;
};

// Positional parameters: binding 25 values by position is markedly cheaper than by name at ingest rates.
const INSERT_COLUMNS = `
    platform, source, external_id, url, author_handle, author_name, author_id, author_followers,
    text, lang, created_at, fetched_at, keyword, keywords, in_reply_to, conversation_id, summons_brand,
    likes, reposts, replies, quotes, metrics_updated_at, sentiment, category`;
const INSERT = `
  INSERT INTO mentions (${INSERT_COLUMNS}, priority, status, status_changed_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?)
  ON CONFLICT (platform, external_id) DO NOTHING`;
// With the classifier's confidence (migration 011) and whether the priority is settled (migration 015): the form
// a model's guess takes; the plain form above still serves older schemas (tests seeding them).
const INSERT_GUESS = `
  INSERT INTO mentions (${INSERT_COLUMNS}, category_confidence, category_unsure, priority, priority_due_at, status, status_changed_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?)
  ON CONFLICT (platform, external_id) DO NOTHING`;

// The reading being replaced becomes the previous one: the one engagement history (src/metrics/engagement.ts).
// New counters (and followers) are priority inputs: the item's priority is due again (migration 015).
const REFRESH_METRICS = `
  UPDATE mentions SET
    prev_likes = CASE WHEN coalesce(metrics_updated_at, 0) < @fetchedAt THEN likes ELSE prev_likes END,
    prev_reposts = CASE WHEN coalesce(metrics_updated_at, 0) < @fetchedAt THEN reposts ELSE prev_reposts END,
    prev_replies = CASE WHEN coalesce(metrics_updated_at, 0) < @fetchedAt THEN replies ELSE prev_replies END,
    prev_quotes = CASE WHEN coalesce(metrics_updated_at, 0) < @fetchedAt THEN quotes ELSE prev_quotes END,
    prev_metrics_at = CASE WHEN coalesce(metrics_updated_at, 0) < @fetchedAt THEN metrics_updated_at ELSE prev_metrics_at END,
    likes = @likes, reposts = @reposts, replies = @replies, quotes = @quotes,
    author_followers = coalesce(@authorFollowers, author_followers), metrics_updated_at = @fetchedAt, priority_due_at = 0
  WHERE platform = @platform AND external_id = @externalId AND ${openSql()}`;

const DM_MARK = `UPDATE mentions SET channel = 'dm', dm_conversation_id = ?, private_at = ? WHERE platform = ? AND external_id = ?`;

/** A lone UTF-16 surrogate would reach SQLite as invalid UTF-8 bytes: store U+FFFD in its place (ES2024, in Node 20). */
function wellFormed(text: string): string {
  return (text as string & { toWellFormed(): string }).toWellFormed();
}

/**
 * Insert mentions not stored yet; for those already stored, refresh metrics while they are open.
 * Returns how many were new. Call inside a transaction.
 */
export async function insertMentions(
  db: Db,
  source: string,
  mentions: readonly NewMention[],
  fetchedAt: number,
  assess: (mention: NewMention, fetchedAt: number) => Assessment = () => ({ category: null, sentiment: null, priority: 0 }),
): Promise<number> {
  // PostgreSQL answers each statement over the network: a page goes in as one multi-row statement.
  if (db.kind === 'postgres') return insertPage(db, source, mentions, fetchedAt, assess);
  // The page's inserts in one batch (one call, not an awaited statement per row); then, in page order, what each outcome needs.
  const results = await db.batch(
    mentions.map((m) => {
      const assessment = assess(m, fetchedAt);
      const guessed = assessment.confidence !== undefined && assessment.confidence !== null;
      return [guessed ? INSERT_GUESS : INSERT, rowValues(m, source, fetchedAt, assessment, guessed)] as const;
    }),
  );
  let inserted = 0;
  const after: (readonly [string, Params])[] = [];
  mentions.forEach((m, i) => {
    if (results[i]!.changes === 1) {
      inserted++;
      if (m.channel === 'dm') after.push(directMessageMark(m));
    } else after.push(metricsRefresh(m, fetchedAt));
  });
  if (after.length > 0) await db.batch(after);
  return inserted;
}

/** The values of one new row, in INSERT's (or, with the classifier's confidence, INSERT_GUESS's) order. */
function rowValues(m: NewMention, source: string, fetchedAt: number, assessment: Assessment, guessed: boolean): unknown[] {
  return [
    m.platform,
    source,
    m.externalId,
    m.url === null ? null : wellFormed(m.url),
    wellFormed(m.authorHandle),
    m.authorName === null ? null : wellFormed(m.authorName),
    m.authorId,
    m.authorFollowers,
    wellFormed(m.text),
    m.lang,
    m.createdAt,
    fetchedAt,
    m.keywords[0] ?? null,
    JSON.stringify(m.keywords),
    m.inReplyTo,
    m.conversationId,
    m.summonsBrand ? 1 : 0,
    m.metrics.likes,
    m.metrics.reposts,
    m.metrics.replies,
    m.metrics.quotes,
    fetchedAt,
    assessment.sentiment,
    assessment.category,
    ...(guessed ? [assessment.confidence, assessment.unsure ? 1 : 0] : []),
    assessment.priority,
    ...(guessed ? [assessment.settled ? null : 0] : []),
    fetchedAt,
  ];
}

/** A direct message (migration 013) is private from the start; the public ingest path stays as it was. */
function directMessageMark(m: NewMention): readonly [string, Params] {
  return [DM_MARK, [m.dmConversationId ?? null, m.createdAt, m.platform, m.externalId]];
}

function metricsRefresh(m: NewMention, fetchedAt: number): readonly [string, Params] {
  return [
    REFRESH_METRICS,
    {
      platform: m.platform,
      externalId: m.externalId,
      authorFollowers: m.authorFollowers,
      fetchedAt,
      likes: m.metrics.likes,
      reposts: m.metrics.reposts,
      replies: m.metrics.replies,
      quotes: m.metrics.quotes,
    },
  ];
}

/** Rows per multi-row INSERT: 29 values each, far below the 65,535 parameters PostgreSQL takes. */
const PAGE_ROWS = 200;
const GUESS_ROW = `(${Array.from({ length: 28 }, () => '?').join(', ')}, 'new', ?)`;

/**
 * The PostgreSQL path of insertMentions, with the same outcome: rows not stored yet are inserted in page
 * order (the store is at the current schema there, so every row takes INSERT_GUESS's columns; a guess without
 * confidence stores the columns' defaults, NULL and 0, and one without `settled` a priority due at once), the
 * ones already stored have their metrics refreshed.
 */
async function insertPage(
  db: Db,
  source: string,
  mentions: readonly NewMention[],
  fetchedAt: number,
  assess: (mention: NewMention, fetchedAt: number) => Assessment,
): Promise<number> {
  let inserted = 0;
  for (let from = 0; from < mentions.length; from += PAGE_ROWS) {
    const chunk = mentions.slice(from, from + PAGE_ROWS);
    const values: unknown[] = [];
    for (const m of chunk) {
      const assessment = assess(m, fetchedAt);
      const guessed = assessment.confidence !== undefined && assessment.confidence !== null;
      values.push(...rowValues(m, source, fetchedAt, guessed ? assessment : { ...assessment, confidence: null, unsure: false }, true));
    }
    const sql = `INSERT INTO mentions (${INSERT_COLUMNS}, category_confidence, category_unsure, priority, priority_due_at, status, status_changed_at)
      VALUES ${chunk.map(() => GUESS_ROW).join(', ')}
      ON CONFLICT (platform, external_id) DO NOTHING
      RETURNING external_id`;
    const stored = new Set((await db.all<{ external_id: string }>(sql, values)).map((r) => r.external_id));
    inserted += stored.size;
    const seen = new Set<string>();
    for (const m of chunk) {
      const first = !seen.has(m.externalId);
      seen.add(m.externalId);
      if (stored.has(m.externalId) && first) {
        if (m.channel === 'dm') await db.run(...directMessageMark(m));
      } else {
        await db.run(...metricsRefresh(m, fetchedAt));
      }
    }
  }
  return inserted;
}

export async function getMention(db: Db, id: number): Promise<Mention | null> {
  const row = await db.get<MentionRow>('SELECT * FROM mentions WHERE id = ?', [id]);
  return row ? rowToMention(row) : null;
}

export async function getMentionByExternalId(db: Db, platform: string, externalId: string): Promise<Mention | null> {
  const row = await db.get<MentionRow>('SELECT * FROM mentions WHERE platform = ? AND external_id = ?', [platform, externalId]);
  return row ? rowToMention(row) : null;
}

/** What a person narrows the inbox by (`list` and `triage` flags); every part optional, all must hold. */
export interface MentionSearch {
  platform?: string | undefined;
  categories?: readonly Category[] | undefined;
  /** A handle, without the @; case-insensitive. */
  author?: string | undefined;
  /** One of the configured keywords the mention matched; case-insensitive. */
  keyword?: string | undefined;
  /** Words in the text (FTS5, migration 010): every word must appear, each as a word prefix. */
  search?: string | undefined;
  /** Stored priority at least this score. */
  minPriority?: number | undefined;
  /** Assigned to this person; null: assigned to nobody. */
  assignedTo?: string | null | undefined;
}

export interface MentionFilter extends MentionSearch {
  /** Also list follow-ups, which otherwise show as part of their thread's item (DESIGN §4). */
  followUps?: boolean;
  statuses?: readonly Status[];
  /** Epoch ms: only mentions created at or after. */
  since?: number;
  limit?: number;
  /** An extra SQL condition over `mentions m` with positional parameters (e.g. the SLA breach rule from src/report/metrics.ts). */
  condition?: { sql: string; params: unknown[] };
}

/**
 * A person's words as an FTS5 query: each word quoted (so FTS syntax in the text is only text) and
 * matched as a prefix, all required. Null when nothing searchable is left.
 */
export function ftsQuery(text: string): string | null {
  // Runs the tokenizer keeps whole (unicode61: letters, digits, marks): each quoted word stays one token, never a phrase.
  const words = text.match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  return words.length === 0 ? null : words.map((w) => `"${w}"*`).join(' ');
}

/** The search part of a WHERE over `mentions m`, as conditions and their positional parameters. */
export function searchConditions(kind: EngineKind, filter: MentionSearch): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.platform) {
    where.push('m.platform = ?');
    params.push(filter.platform);
  }
  if (filter.categories && filter.categories.length > 0) {
    where.push(`m.category IN (${filter.categories.map(() => '?').join(', ')})`);
    params.push(...filter.categories);
  }
  if (filter.author) {
    where.push(equalsIgnoringCase(kind, 'm.author_handle', '?'));
    params.push(filter.author.replace(/^@/, ''));
  }
  if (filter.keyword) {
    where.push(`EXISTS (SELECT 1 FROM ${jsonArrayValues(kind, 'm.keywords', 'k')} WHERE ${equalsIgnoringCase(kind, 'k.value', '?')})`);
    params.push(filter.keyword);
  }
  if (filter.search !== undefined) {
    const search = textSearch(kind, filter.search);
    if (search === null) where.push(never(kind));
    else {
      where.push(search.sql);
      params.push(...search.params);
    }
  }
  if (filter.minPriority !== undefined) {
    where.push('m.priority >= ?');
    params.push(filter.minPriority);
  }
  if (filter.assignedTo === null) where.push('m.assigned_to IS NULL');
  else if (filter.assignedTo !== undefined) {
    where.push('m.assigned_to = ?');
    params.push(filter.assignedTo);
  }
  return { where, params };
}

/**
 * The statuses as SQL literals, so the planner can use the partial indexes of open mentions (migration 015),
 * which it matches only against literals; the open ones as src/metrics/open.ts writes them. Only names of the
 * vocabulary reach the SQL.
 */
function statusCondition(statuses: readonly Status[]): string {
  const wanted = STATUS_LIST.filter((s) => statuses.includes(s));
  if (wanted.length !== new Set(statuses).size) throw new Error(`not a status: ${statuses.join(', ')}`);
  if (wanted.length === OPEN_STATUSES.length && OPEN_STATUSES.every((s) => wanted.includes(s))) return openSql('m.status');
  return `m.status IN (${wanted.map((s) => `'${s}'`).join(', ')})`;
}

function filterWhere(kind: EngineKind, filter: MentionFilter): { sql: string; params: unknown[] } {
  const { where, params } = searchConditions(kind, filter);
  if (!filter.followUps) where.push('m.thread_id IS NULL');
  if (filter.statuses && filter.statuses.length > 0) where.push(statusCondition(filter.statuses));
  if (filter.since !== undefined) {
    where.push('m.created_at >= ?');
    params.push(filter.since);
  }
  if (filter.condition) {
    where.push(`(${filter.condition.sql})`);
    params.push(...filter.condition.params);
  }
  return { sql: where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '', params };
}

/** The inbox: most urgent first (priority, then oldest waiting first among equals). */
export async function listMentions(db: Db, filter: MentionFilter = {}): Promise<Mention[]> {
  if (filter.search !== undefined) await prepareSearch(db);
  const { sql: where, params } = filterWhere(db.kind, filter);
  const sql = `SELECT * FROM mentions m${where} ORDER BY ${openSql('m.status')} DESC, m.priority DESC, m.created_at DESC LIMIT ?`;
  return (await db.all<MentionRow>(sql, [...params, limitValue(db.kind, filter.limit)])).map(rowToMention);
}

/** How many mentions listMentions would return without its limit ("showing 50 of 120"). */
export async function countMatching(db: Db, filter: MentionFilter = {}): Promise<number> {
  if (filter.search !== undefined) await prepareSearch(db);
  const { sql: where, params } = filterWhere(db.kind, filter);
  return (await db.get<{ n: number }>(`SELECT count(*) AS n FROM mentions m${where}`, params))!.n;
}

/** The platforms present in the store (what `--platform` may name besides the configured ones). */
export async function storedPlatforms(db: Db): Promise<string[]> {
  return (await db.all<{ platform: string }>('SELECT DISTINCT platform FROM mentions ORDER BY platform')).map((r) => r.platform);
}

export async function countMentions(db: Db): Promise<number> {
  return (await db.get<{ n: number }>('SELECT count(*) AS n FROM mentions'))!.n;
}
