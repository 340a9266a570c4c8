/**
 * The hot queries read what they need through an index: each statement the real store functions issue
 * (recorded as they run, so no SQL is copied here) is planned with EXPLAIN QUERY PLAN, and the test fails
 * when one scans the whole of a table or of a whole (not partial) index, or sorts where no sort is needed.
 */
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import type { Engine, Params } from '../../src/store/engine.js';
import { getMention, listMentions, countMatching, getMentionByExternalId } from '../../src/store/mentions.js';
import { openItemsByPriority, countOpenItems } from '../../src/store/queue.js';
import { threadMentions, newestInThread, openFollowUps } from '../../src/store/threads.js';
import { responsesFor } from '../../src/store/responses.js';
import { eventsFor } from '../../src/store/events.js';
import { openMentionsForAlerts, openDeadlineFacts, keywordVolumes, maxMentionId, oldestMentionAt } from '../../src/store/alerts.js';
import { openBacklog } from '../../src/store/report.js';
import { changeStatus } from '../../src/store/changes.js';
import { assignItem } from '../../src/store/team.js';
import { storePage } from '../../src/poll/poll-sources.js';
import { recomputePriorities, waitingSince } from '../../src/triage/assess.js';
import { OPEN_STATUSES } from '../../src/metrics/open.js';
import type { FetchedPage, NewMention } from '../../src/sources/types.js';
import { engineOf } from '../helpers/engine.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const CONFIG = { sla: {}, timezone: 'UTC' } as const;

interface Recorded {
  sql: string;
  params: Params | undefined;
}

/** The engine, recording every statement (in transactions too). */
function recording(engine: Engine, log: Recorded[]): Engine {
  const wrap = (e: Engine): Engine =>
    new Proxy(e, {
      get(target, prop, receiver) {
        if (prop === 'all' || prop === 'get' || prop === 'rows' || prop === 'run' || prop === 'stream' || prop === 'batches') {
          return (sql: string, params?: Params) => {
            log.push({ sql, params });
            return (target[prop] as (sql: string, params?: Params) => unknown).call(target, sql, params);
          };
        }
        if (prop === 'batch') {
          return (steps: readonly (readonly [string, Params?])[]) => {
            for (const [sql, params] of steps) log.push({ sql, params });
            return target.batch(steps);
          };
        }
        if (prop === 'transaction') return <T>(fn: (tx: Engine) => Promise<T>) => target.transaction((tx) => fn(wrap(tx)));
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  return wrap(engine);
}

function mention(id: number, extra: Partial<NewMention> = {}): NewMention {
  return {
    platform: 'twitter',
    externalId: String(id),
    url: null,
    authorHandle: `u${id % 7}`,
    authorName: null,
    authorId: String(id % 7),
    authorFollowers: 10 * id,
    text: `acme words ${id}`,
    lang: 'en',
    createdAt: NOW - 86_400_000 + id * 60_000,
    keywords: ['acme'],
    inReplyTo: null,
    conversationId: String(id),
    summonsBrand: false,
    metrics: { likes: id % 3, reposts: 0, replies: 0, quotes: 0 },
    ...extra,
  };
}

function page(mentions: NewMention[], ownReplies: FetchedPage['ownReplies'] = []): FetchedPage {
  return { mentions, ownReplies, cursor: { at: mentions.length }, postsRead: mentions.length };
}

/** Every plan line of a statement, as SQLite words it. */
function plan(db: Database.Database, r: Recorded): string[] {
  const values = r.params === undefined ? [] : Array.isArray(r.params) ? (r.params as unknown[]) : [r.params];
  return (db.prepare(`EXPLAIN QUERY PLAN ${r.sql}`).all(...values) as { detail: string }[]).map((p) => p.detail);
}

describe('query plans of the hot queries (SQLite)', () => {
  const db = new Database(':memory:');
  const log: Recorded[] = [];
  let partial: Set<string>;
  let engine: Engine;

  beforeAll(async () => {
    await migrate(engineOf(db), ':memory:');
    partial = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'").all() as { name: string }[]).map((r) => r.name));
    engine = engineOf(db);
    const seed = { db: engine, now: () => NOW };
    // A backlog to plan against, written by the real poll path.
    for (let from = 1; from <= 400; from += 100) {
      await storePage(seed, { name: 'x', prices: undefined }, 'all', page(Array.from({ length: 100 }, (_, i) => mention(from + i))));
    }
  });

  async function exercise(fn: (db: Engine) => Promise<unknown>): Promise<Recorded[]> {
    log.length = 0;
    await fn(recording(engine, log));
    return [...log];
  }

  /** The plan's faults: whole-table scans, scans of a whole index, and sorts other than those `SORTS` allows. */
  function faults(statements: Recorded[]): string[] {
    const found: string[] = [];
    for (const r of statements) {
      if (!/\bmentions\b/.test(r.sql) || /^\s*INSERT\b/i.test(r.sql)) continue;
      for (const line of plan(db, r)) {
        const scan = /^SCAN (\S+)(?: USING (?:COVERING )?INDEX (\S+))?$/.exec(line);
        const wholeScan = scan !== null && (scan[2] === undefined || !partial.has(scan[2]));
        const needlessSort = /USE TEMP B-TREE/.test(line) && !SORTS.some((sort) => sort.test(r.sql));
        if (wholeScan || needlessSort) found.push(`${line}  ←  ${r.sql.replace(/\s+/g, ' ').trim()}`);
      }
    }
    return found;
  }

  /** The sorts that are the work itself, each over rows an index found: anything else sorting fails. */
  const SORTS = [
    // The queue by priority, which no index keeps (it is rewritten by polls): the matching open items are sorted.
    /ORDER BY .*priority DESC/s,
    // One item's mentions (its root and follow-ups), in time order.
    /WHERE id = \? OR thread_id = \? ORDER BY created_at/,
    // One author's items on a platform, newest first (the item a DM joins).
    /author_id = \? OR lower\(author_handle\) = lower\(\?\).*ORDER BY created_at DESC/s,
    // The open mentions alerts look at (read through the open index), in id order.
    /ORDER BY \+m\.id/,
    // Mentions of the last day, grouped by each of their keywords.
    /json_each\(m\.keywords\).*GROUP BY k\.value/s,
  ];

  it('dedupe, metrics refresh, thread linking, own replies and the DM author lookup', async () => {
    const statements = await exercise((db) =>
      storePage({ db, now: () => NOW + 1000 }, { name: 'x', prices: undefined }, 'all', {
        ...page([
          mention(5),
          mention(401),
          mention(402, { conversationId: '8', inReplyTo: '8', authorId: '1', authorHandle: 'u1' }),
          mention(403, { inReplyTo: '900', conversationId: '403' }),
          mention(404, { channel: 'dm', dmConversationId: 'd-1', conversationId: null, authorId: '3', authorHandle: 'u3' }),
        ]),
        ownReplies: [{ platform: 'twitter', externalId: '900', inReplyTo: '10', text: 'thanks', createdAt: NOW + 500 }],
      }),
    );
    expect(statements.length).toBeGreaterThan(10);
    expect(faults(statements)).toEqual([]);
  });

  it('the queue: list by default, --mine, --unassigned, and triage’s next item', async () => {
    await assignItem(engine, 20, 'kim', 'kim', NOW);
    const statements = await exercise(async (db) => {
      await listMentions(db, { statuses: [...OPEN_STATUSES], limit: 50 });
      await countMatching(db, { statuses: [...OPEN_STATUSES] });
      await listMentions(db, { statuses: [...OPEN_STATUSES], assignedTo: 'kim', limit: 50 });
      await listMentions(db, { statuses: [...OPEN_STATUSES], assignedTo: null, limit: 50 });
      await openItemsByPriority(db, { limit: 1 });
      await countOpenItems(db);
    });
    expect(faults(statements)).toEqual([]);
  });

  it('recompute reads only the due items; show reads one item and its thread', async () => {
    const statements = await exercise(async (db) => {
      await recomputePriorities(db, CONFIG, NOW + 60_000);
      await changeStatus(db, 30, 'replied', 'kim', NOW);
      await recomputePriorities(db, CONFIG, NOW + 120_000);
      const m = (await getMention(db, 8))!;
      await getMentionByExternalId(db, 'twitter', '8');
      await waitingSince(db, { ...m, firstResponseAt: NOW - 1000 });
      await threadMentions(db, 8);
      await newestInThread(db, 8);
      await openFollowUps(db, 8);
      await responsesFor(db, 8);
      await eventsFor(db, 8);
    });
    expect(faults(statements)).toEqual([]);
  });

  it('the alert rules and the open backlog', async () => {
    const statements = await exercise(async (db) => {
      await openMentionsForAlerts(db, { createdSince: NOW - 3_600_000, metricsSince: NOW, firstSightAge: 3_600_000 });
      await openDeadlineFacts(db);
      await keywordVolumes(db, NOW, NOW - 3_600_000, NOW - 86_400_000);
      await maxMentionId(db);
      await oldestMentionAt(db);
      await openBacklog(db);
    });
    expect(faults(statements)).toEqual([]);
  });

  it('a whole scan of mentions is found (the check can fail)', async () => {
    const statements = await exercise((db) => db.all("SELECT * FROM mentions WHERE lang = 'en'"));
    expect(faults(statements)).toHaveLength(1);
    const sorted = await exercise((db) => db.all('SELECT * FROM mentions WHERE platform = ? AND external_id > ? ORDER BY lang', ['twitter', '5']));
    expect(faults(sorted)).toHaveLength(1);
  });
});
