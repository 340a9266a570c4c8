import type { Db } from '../store/open.js';
import { insertMentions, type AssessHook } from '../store/mentions.js';
import { recordOwnReplies } from '../store/responses.js';
import { linkThreads } from '../triage/threads.js';
import { loadCursor, saveCursor } from '../store/cursors.js';
import { openMentionsToRefresh } from '../store/refresh.js';
import { storedMentionIds } from '../store/stored-ids.js';
import { indexSearchText } from '../store/search-index.js';
import { addUsage, billReads, monthUsage, saveVolume } from '../store/usage.js';
import { Interrupted, RateLimitStop, SourceFailure } from '../sources/request.js';
import { fromMicros, toMicros } from '../metrics/cost.js';
import { translateStoreError } from '../store/open.js';
import { StoreError } from '../errors.js';
import type { CursorState, FetchedPage, GroupStatus, NewMention, PagingEnvironment, QueryGroup, RateLimitState, Source } from '../sources/types.js';

/** The monthly read budget cannot pay for the page a source asked to read next. */
class BudgetStop extends Error {}

const INTERRUPTED = 'interrupted; the next poll resumes here';

export interface SourceResult {
  source: string;
  platform: string;
  status: GroupStatus;
  /** Mentions stored for the first time. */
  new: number;
  /** Brand replies made outside brandwatch, recorded as native responses. */
  nativeReplies: number;
  pages: number;
  requests: number;
  postsRead: number;
  rateLimit: RateLimitState | null;
  message: string | null;
  /** Money billed by this poll, in dollars (null for platforms that do not bill). */
  spend: number | null;
  month: {
    month: string;
    requests: number;
    postsRead: number;
    budget: number | null;
    projectedPostsRead: number;
    /** Dollars billed this month and the straight-line month-end figure (null for platforms that do not bill). */
    spend: number | null;
    projectedSpend: number | null;
    moneyBudget: number | null;
  };
}

/** Per-source limits from the config: `monthlyReadBudget`, `monthlyBudget` (dollars) and the page cap per run. */
export interface SourceLimits {
  reads?: number;
  money?: number;
  maxPages?: number;
}

/** Pages one query group may fetch in one poll unless the config says otherwise; the rest waits for the next poll. */
export const DEFAULT_MAX_PAGES = 50;

export interface PollOptions {
  db: Db;
  sources: readonly Source[];
  budgets: ReadonlyMap<string, number>;
  /** Money budgets and page caps (and read budgets, as `budgets` gives them). */
  limits?: ReadonlyMap<string, SourceLimits>;
  now(): number;
  sleep(ms: number): Promise<void>;
  signal: AbortSignal;
  verbose(message: string): void;
  /** First guess of category, sentiment and priority at ingest. */
  assess?: AssessHook;
}

/** Poll every source concurrently; a failing source never blocks the others. */
export async function pollSources(options: PollOptions): Promise<SourceResult[]> {
  // Settle every source before reporting a store failure, so none is still writing when the lock is released.
  const settled = await Promise.allSettled(options.sources.map((source) => pollSource(source, options)));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  // What the pages stored joins the search index in one statement (migration 016); a search meanwhile reads it unindexed.
  await indexSearchText(options.db);
  return settled.map((r) => (r as PromiseFulfilledResult<SourceResult>).value);
}

async function pollSource(source: Source, options: PollOptions): Promise<SourceResult> {
  const { db } = options;
  const limits = options.limits?.get(source.name) ?? {};
  const budget = options.budgets.get(source.name) ?? limits.reads ?? null;
  const moneyBudget = source.prices ? (limits.money ?? null) : null;
  const maxPages = limits.maxPages ?? DEFAULT_MAX_PAGES;
  const notices: string[] = [];
  const result: SourceResult = {
    source: source.name,
    platform: source.platform,
    status: 'ok',
    new: 0,
    nativeReplies: 0,
    pages: 0,
    requests: 0,
    postsRead: 0,
    rateLimit: null,
    message: null,
    spend: source.prices ? 0 : null,
    month: { month: '', requests: 0, postsRead: 0, budget, projectedPostsRead: 0, spend: null, projectedSpend: null, moneyBudget },
  };
  let spentMicros = 0;
  const storeOptions: PageStoreOptions = { db, now: options.now, ...(options.assess ? { assess: options.assess } : {}) };

  const startedAt = options.now();
  let groups;
  try {
    groups = source.groups();
  } catch (error) {
    return { ...result, status: 'failed', message: (error as Error).message, month: await monthFigures(db, source, options.now(), budget, moneyBudget) };
  }
  const readsLeft = async () => (budget === null ? null : Math.max(0, budget - (await monthUsage(db, source.name, options.now())).postsRead));
  const moneyLeft = async () => (moneyBudget === null ? null : Math.max(0, toMicros(moneyBudget) - (await monthUsage(db, source.name, options.now())).costMicros));
  const budgetMessage = `monthly read budget of ${budget} ${source.readUnit ?? 'posts'} is used up; raise monthlyReadBudget or wait for next month`;
  const moneyMessage = `monthly budget of $${moneyBudget} is spent; raise monthlyBudget or wait for next month`;
  for (const group of groups) {
    const log = (message: string) => options.verbose(`${source.name} [${group.key}]: ${message}`);
    const env: PagingEnvironment = {
      now: options.now,
      sleep: options.sleep,
      verbose: log,
      signal: options.signal,
      allowance: async (max, min = 1, unitCost = source.prices?.postRead ?? 0, readsPosts = true) => {
        let allowed = max;
        const left = readsPosts ? await readsLeft() : null;
        if (left !== null) {
          if (left < min) throw new BudgetStop(budgetMessage);
          allowed = Math.min(allowed, left);
        }
        const money = await moneyLeft();
        if (money !== null && unitCost > 0) {
          // Priced at the full rate: a read the daily de-duplication makes free only leaves money over.
          const affordable = Math.floor(money / toMicros(unitCost));
          if (affordable < min) throw new BudgetStop(moneyMessage);
          allowed = Math.min(allowed, affordable);
        }
        return allowed;
      },
      countRequest: async () => {
        result.requests++;
        await addUsage(db, source.name, options.now(), 1, 0);
      },
      openMentions: (limit) => openMentionsToRefresh(db, source.name, startedAt, limit),
    };
    const store = async (page: FetchedPage) => {
      const stored = await storePage(storeOptions, source, group.key, page);
      result.new += stored.new;
      result.nativeReplies += stored.nativeReplies;
      spentMicros += stored.spentMicros;
      result.pages++;
      result.postsRead += page.postsRead;
      if (page.rateLimit) result.rateLimit = page.rateLimit;
    };
    try {
      const notice = (message: string) => {
        notices.push(`[${group.key}] ${message}`);
        log(message);
      };
      if (await pollGroup(source, group, await loadCursor(db, source.name, group.key), env, store, options.signal, { maxPages, notice })) {
        result.message = INTERRUPTED;
        break;
      }
    } catch (error) {
      // The store failing (disk full, read-only, damaged) is no platform's fault: stop the whole poll, naming the file.
      if (isStoreFailure(error)) throw translateStoreError(error, db.location);
      if (error instanceof Interrupted) {
        result.message = INTERRUPTED;
        break;
      }
      if (error instanceof BudgetStop) {
        result.status = 'budget_exhausted';
        result.message = error.message;
        break;
      }
      if (error instanceof RateLimitStop) {
        result.status = 'rate_limited';
        result.rateLimit = error.rateLimit;
        const reset = error.rateLimit.resetAt ? ` until ${new Date(error.rateLimit.resetAt).toISOString()}` : '';
        result.message = `${error.message}; stopped for this run${reset}`;
        break;
      }
      result.status = 'failed';
      result.message = error instanceof Error ? error.message : String(error);
      log(`failed: ${result.message}`);
      if (!(error instanceof SourceFailure)) break;
    }
  }
  result.month = await monthFigures(db, source, options.now(), budget, moneyBudget);
  if (result.spend !== null) result.spend = fromMicros(spentMicros);
  if (notices.length > 0 && result.message === null) result.message = notices.join('; ');
  else if (notices.length > 0) result.message = `${result.message}; ${notices.join('; ')}`;
  return result;
}

/** What storing a page needs: the database, the clock, and the first guess at ingest. */
export interface PageStoreOptions {
  db: Db;
  now(): number;
  assess?: AssessHook;
  /** Tell which mentions this page stored for the first time, with their row ids (watch's streamed pages). */
  listNew?: boolean;
}

export interface StoredPage {
  /** Mentions stored for the first time (a post already stored, by a poll or a stream, is not stored again). */
  new: number;
  /** With `listNew`: the mentions stored for the first time and their row ids, in page order (else empty). */
  stored: { id: number; mention: NewMention }[];
  nativeReplies: number;
  spentMicros: number;
}

/**
 * Store one page in one transaction: its mentions (classified by `assess`), our own replies, threads, usage
 * and billing, volume, and the cursor it leads to. The one way in for a polled page and a streamed one alike:
 * the unique key makes a post seen by both stored once. `groupKey` null (a streamed page) saves no poll cursor.
 */
export async function storePage(options: PageStoreOptions, source: Pick<Source, 'name' | 'prices'>, groupKey: string | null, page: FetchedPage): Promise<StoredPage> {
  // The classifier loads on the first page with mentions, outside the transaction: a quiet poll never reads it.
  if (page.mentions.length > 0) await options.assess?.ready?.();
  // Each page with its cursor in one transaction: an interrupted poll resumes after the last page stored.
  return options.db.transaction(async (tx) => {
    const fetchedAt = options.now();
    // Asked inside the transaction, so nothing stored between the question and the insert can be counted as ours.
    const before = options.listNew ? await storedMentionIds(tx, page.mentions) : [];
    if (page.mentions.length > 0) await options.assess?.beforeStore?.(tx);
    const inserted = await insertMentions(tx, source.name, page.mentions, fetchedAt, options.assess);
    const stored: StoredPage['stored'] = [];
    if (options.listNew && inserted > 0) {
      const after = await storedMentionIds(tx, page.mentions);
      page.mentions.forEach((mention, i) => {
        const id = after[i];
        if (before[i] === null && id !== null && id !== undefined) stored.push({ id, mention });
      });
    }
    const nativeReplies = await recordOwnReplies(tx, page.ownReplies);
    // After our replies are known, so a follow-up posted after one re-opens its item.
    await linkThreads(tx, page.mentions, fetchedAt);
    await addUsage(tx, source.name, fetchedAt, 0, page.postsRead);
    const spentMicros = source.prices && page.billed && page.billed.length > 0 ? (await billReads(tx, source.name, fetchedAt, page.billed, source.prices)).micros : 0;
    if (page.volume && page.volume.length > 0) await saveVolume(tx, source.name, page.volumeKey ?? groupKey ?? 'stream', page.volume);
    if (groupKey !== null) await saveCursor(tx, source.name, groupKey, page.cursor, fetchedAt);
    return { new: inserted, stored, nativeReplies, spentMicros };
  });
}

export interface PagingBounds {
  /** Pages one run may fetch in this poll; a longer run is resumed by the next poll. */
  maxPages: number;
  /** Told when paging stopped early (cap, repeated token, nothing new) or a page carried a notice. */
  notice(message: string): void;
}

/**
 * Page through one query group, storing each page with its cursor; stops at a page boundary when the
 * signal fires (true). A run resumed from an interrupted poll covers posts up to its own start, so a
 * fresh run from the committed position catches up with what arrived since.
 */
export async function pollGroup(
  source: Source,
  group: QueryGroup,
  saved: CursorState | null,
  env: PagingEnvironment,
  store: (page: FetchedPage) => Promise<void>,
  signal: AbortSignal,
  bounds: PagingBounds = { maxPages: DEFAULT_MAX_PAGES, notice: () => undefined },
): Promise<boolean> {
  let cursor = saved;
  let pages = 0;
  const midRun = (c: CursorState | null) => c !== null && (source.midRun?.(c) ?? false);
  for (;;) {
    const resumed = midRun(cursor);
    if (signal.aborted) return true;
    // A platform that repeats its page token or serves the same posts again would be paged for ever.
    const positions = new Set<string>();
    const seen = new Set<string>();
    let runPages = 0;
    for await (const page of source.pages(group, cursor, env)) {
      pages++;
      runPages++;
      if (page.notice) bounds.notice(page.notice);
      const ids = [...page.mentions.map((m) => m.externalId), ...page.ownReplies.map((r) => r.externalId)];
      const fresh = ids.filter((id) => !seen.has(id)).length;
      for (const id of ids) seen.add(id);
      const position = JSON.stringify(page.cursor);
      const paging = midRun(page.cursor);
      const stuck = !paging ? null : positions.has(position) ? 'the platform repeated a page token' : runPages > 1 && fresh === 0 ? 'a page brought nothing new' : null;
      if (stuck && source.endRun) {
        await store({ ...page, cursor: source.endRun(page.cursor) });
        bounds.notice(`${stuck}; stopped paging and kept what was stored`);
        return false;
      }
      positions.add(position);
      await store(page);
      cursor = page.cursor;
      if (signal.aborted) return true;
      if (paging && pages >= bounds.maxPages) {
        bounds.notice(`stopped after ${pages} pages (the page cap per poll, maxPages); the next poll continues from here`);
        return false;
      }
    }
    if (!resumed || midRun(cursor)) return false;
  }
}

async function monthFigures(db: Db, source: Source, now: number, budget: number | null, moneyBudget: number | null): Promise<SourceResult['month']> {
  const usage = await monthUsage(db, source.name, now);
  const billed = source.prices !== undefined;
  return {
    month: usage.month,
    requests: usage.requests,
    postsRead: usage.postsRead,
    budget,
    projectedPostsRead: usage.projectedPostsRead,
    spend: billed ? fromMicros(usage.costMicros) : null,
    projectedSpend: billed ? fromMicros(usage.projectedCostMicros) : null,
    moneyBudget,
  };
}

/** How a poll went as a whole: every source ok, every one rate limited, nothing worked, or some failed. */
export function pollOutcome(results: readonly SourceResult[]): 'ok' | 'rate_limited' | 'failed' | 'partial' {
  const ok = results.filter((r) => r.status === 'ok').length;
  if (ok === results.length) return 'ok';
  if (results.every((r) => r.status === 'rate_limited')) return 'rate_limited';
  if (ok === 0 && results.every((r) => r.new === 0)) return 'failed';
  return 'partial';
}

function isStoreFailure(error: unknown): boolean {
  return error instanceof StoreError || (error instanceof Error && error.name === 'SqliteError');
}
