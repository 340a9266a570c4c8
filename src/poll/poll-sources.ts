import type { Db } from '../store/open.js';
import { insertMentions, type Assessment } from '../store/mentions.js';
import { recordOwnReplies } from '../store/responses.js';
import { linkThreads } from '../triage/threads.js';
import { loadCursor, saveCursor } from '../store/cursors.js';
import { openMentionsToRefresh } from '../store/refresh.js';
import { addUsage, monthUsage } from '../store/usage.js';
import { RateLimitStop, SourceFailure } from '../sources/request.js';
import { translateStoreError } from '../store/open.js';
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
  month: { month: string; requests: number; postsRead: number; budget: number | null; projectedPostsRead: number };
}

export interface PollOptions {
  db: Db;
  sources: readonly Source[];
  budgets: ReadonlyMap<string, number>;
  now(): number;
  sleep(ms: number): Promise<void>;
  signal: AbortSignal;
  verbose(message: string): void;
  /** First guess of category, sentiment and priority at ingest. */
  assess?: (mention: NewMention) => Assessment;
}

/** Poll every source concurrently; a failing source never blocks the others. */
export async function pollSources(options: PollOptions): Promise<SourceResult[]> {
  // Settle every source before reporting a store failure, so none is still writing when the lock is released.
  const settled = await Promise.allSettled(options.sources.map((source) => pollSource(source, options)));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<SourceResult>).value);
}

async function pollSource(source: Source, options: PollOptions): Promise<SourceResult> {
  const { db } = options;
  const budget = options.budgets.get(source.name) ?? null;
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
    month: { month: '', requests: 0, postsRead: 0, budget, projectedPostsRead: 0 },
  };
  const storePage = db.transaction((groupKey: string, page: FetchedPage) => {
    const fetchedAt = options.now();
    result.new += insertMentions(db, source.name, page.mentions, fetchedAt, options.assess);
    result.nativeReplies += recordOwnReplies(db, page.ownReplies);
    // After our replies are known, so a follow-up posted after one re-opens its item.
    linkThreads(db, page.mentions, fetchedAt);
    addUsage(db, source.name, fetchedAt, 0, page.postsRead);
    saveCursor(db, source.name, groupKey, page.cursor, fetchedAt);
  });

  const startedAt = options.now();
  let groups;
  try {
    groups = source.groups();
  } catch (error) {
    return { ...result, status: 'failed', message: (error as Error).message, month: monthFigures(db, source.name, options.now(), budget) };
  }
  const readsLeft = () => (budget === null ? null : Math.max(0, budget - monthUsage(db, source.name, options.now()).postsRead));
  const budgetMessage = `monthly read budget of ${budget} ${source.readUnit ?? 'posts'} is used up; raise monthlyReadBudget or wait for next month`;
  for (const group of groups) {
    const log = (message: string) => options.verbose(`${source.name} [${group.key}]: ${message}`);
    const env: PagingEnvironment = {
      now: options.now,
      sleep: options.sleep,
      verbose: log,
      allowance: (max, min = 1) => {
        const left = readsLeft();
        if (left === null) return max;
        if (left < min) throw new BudgetStop(budgetMessage);
        return Math.min(max, left);
      },
      countRequest: () => {
        result.requests++;
        addUsage(db, source.name, options.now(), 1, 0);
      },
      openMentions: (limit) => openMentionsToRefresh(db, source.name, startedAt, limit),
    };
    const store = (page: FetchedPage) => {
      storePage(group.key, page);
      result.pages++;
      result.postsRead += page.postsRead;
      if (page.rateLimit) result.rateLimit = page.rateLimit;
    };
    try {
      if (await pollGroup(source, group, loadCursor(db, source.name, group.key), env, store, options.signal)) {
        result.message = INTERRUPTED;
        break;
      }
    } catch (error) {
      // The store failing (disk full, read-only, damaged) is no platform's fault: stop the whole poll, naming the file.
      if (isStoreFailure(error)) throw translateStoreError(error, db.name);
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
  result.month = monthFigures(db, source.name, options.now(), budget);
  return result;
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
  store: (page: FetchedPage) => void,
  signal: AbortSignal,
): Promise<boolean> {
  let cursor = saved;
  const midRun = (c: CursorState | null) => c !== null && (source.midRun?.(c) ?? false);
  for (;;) {
    const resumed = midRun(cursor);
    if (signal.aborted) return true;
    for await (const page of source.pages(group, cursor, env)) {
      store(page);
      cursor = page.cursor;
      if (signal.aborted) return true;
    }
    if (!resumed || midRun(cursor)) return false;
  }
}

function monthFigures(db: Db, source: string, now: number, budget: number | null): SourceResult['month'] {
  const usage = monthUsage(db, source, now);
  return { month: usage.month, requests: usage.requests, postsRead: usage.postsRead, budget, projectedPostsRead: usage.projectedPostsRead };
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
  return error instanceof Error && error.name === 'SqliteError';
}
