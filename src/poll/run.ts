import type { Db } from '../store/open.js';
import { insertMentions, type Assessment } from '../store/mentions.js';
import { recordOwnReplies } from '../store/responses.js';
import { linkThreads } from '../triage/threads.js';
import { statement } from '../store/statements.js';
import { loadCursor, saveCursor } from '../store/cursors.js';
import { addUsage, monthUsage } from '../store/usage.js';
import { RateLimitStop, SourceFailure } from '../sources/request.js';
import { translateStoreError } from '../store/open.js';
import type { GroupStatus, NewMention, RateLimitState, Source } from '../sources/types.js';

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
  const storePage = db.transaction((groupKey: string, page: Parameters<Parameters<Source['poll']>[2]['store']>[0]) => {
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
  for (const group of groups) {
    const log = (message: string) => options.verbose(`${source.name} [${group.key}]: ${message}`);
    try {
      const outcome = await source.poll(group, loadCursor(db, source.name, group.key), {
        now: options.now,
        sleep: options.sleep,
        signal: options.signal,
        verbose: log,
        readsLeft: () => (budget === null ? null : Math.max(0, budget - monthUsage(db, source.name, options.now()).postsRead)),
        openMentions: (limit) =>
          statement<[string, number, number, number], { external_id: string }>(
            db,
            `SELECT external_id FROM mentions WHERE source = ? AND status IN ('new', 'open') AND created_at >= ?
               AND coalesce(metrics_updated_at, fetched_at) < ? ORDER BY created_at DESC LIMIT ?`,
          )
            .all(source.name, startedAt - 7 * 86_400_000, startedAt, limit)
            .map((r) => r.external_id),
        countRequest: () => {
          result.requests++;
          addUsage(db, source.name, options.now(), 1, 0);
        },
        store: (page) => {
          storePage(group.key, page);
          result.pages++;
          result.postsRead += page.postsRead;
        },
      });
      if (outcome.rateLimit) result.rateLimit = outcome.rateLimit;
      if (outcome.status !== 'ok') {
        result.status = outcome.status;
        result.message = outcome.message ?? null;
        break;
      }
      if (outcome.message) result.message = outcome.message;
    } catch (error) {
      // The store failing (disk full, read-only, damaged) is no platform's fault: stop the whole poll, naming the file.
      if (isStoreFailure(error)) throw translateStoreError(error, db.name);
      if (error instanceof RateLimitStop) {
        result.status = 'rate_limited';
        result.rateLimit = error.rateLimit;
        const reset = error.rateLimit.resetAt ? ` until ${new Date(error.rateLimit.resetAt).toISOString()}` : '';
        result.message = `${error.message}; stopped for this run${reset}`;
        break;
      }
      result.status = 'failed';
      result.message = error instanceof SourceFailure || error instanceof Error ? error.message : String(error);
      log(`failed: ${result.message}`);
      if (!(error instanceof SourceFailure)) break;
    }
  }
  result.month = monthFigures(db, source.name, options.now(), budget);
  return result;
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
