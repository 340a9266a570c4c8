/**
 * Migration 020: the conversation index holds only the mentions whose conversation is another post's, and
 * the thread lookup finds a conversation's first post by the unique key. Whatever the conversations (first
 * posts stored late, first posts whose conversation is not their own id, several authors, NULL conversations),
 * the lookup names the item the one-query lookup over every mention named, on both engines.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import type { Engine } from '../../src/store/engine.js';
import type { Store } from '../../src/store/open.js';
import { conversationRoot } from '../../src/store/threads.js';
import { engineOf } from '../helpers/engine.js';
import { forEachEngine } from '../helpers/engines.js';

const NOW = Date.UTC(2026, 11, 2, 9);

interface Row {
  platform: string;
  externalId: string;
  conversationId: string | null;
  authorId: string | null;
  authorHandle: string;
  /** Index of an earlier row whose item this one joined, if any. */
  threadOf: number | null;
}

const row: fc.Arbitrary<Omit<Row, 'externalId'> & { own: boolean; id: number }> = fc.record({
  platform: fc.constantFrom('twitter', 'bluesky'),
  id: fc.integer({ min: 1, max: 8 }),
  // Its own id as the conversation (a first post), another post's, or none.
  own: fc.boolean(),
  conversationId: fc.option(fc.constantFrom('1', '2', '3', 'x'), { freq: 5 }),
  authorId: fc.option(fc.constantFrom('a', 'b')),
  authorHandle: fc.constantFrom('kim', 'lee'),
  threadOf: fc.option(fc.integer({ min: 0, max: 20 }), { freq: 3 }),
});

/** Rows as stored, in storing order (row id = position + 1), each platform id once per platform. */
function stored(generated: (Omit<Row, 'externalId'> & { own: boolean; id: number })[]): Row[] {
  const seen = new Set<string>();
  const rows: Row[] = [];
  for (const g of generated) {
    const externalId = String(g.id);
    if (seen.has(`${g.platform}\t${externalId}`)) continue;
    seen.add(`${g.platform}\t${externalId}`);
    const threadOf = g.threadOf !== null && g.threadOf < rows.length ? g.threadOf : null;
    rows.push({ platform: g.platform, externalId, conversationId: g.own ? externalId : g.conversationId, authorId: g.authorId, authorHandle: g.authorHandle, threadOf });
  }
  return rows;
}

async function insert(db: Engine, rows: readonly Row[]): Promise<void> {
  for (const [i, r] of rows.entries()) {
    await db.run(
      `INSERT INTO mentions (id, platform, source, external_id, author_handle, author_id, text, created_at, fetched_at, keywords, status, status_changed_at, conversation_id, thread_id)
       VALUES (?, ?, ?, ?, ?, ?, 'acme', ?, ?, '[]', 'new', ?, ?, ?)`,
      [i + 1, r.platform, r.platform, r.externalId, r.authorHandle, r.authorId, NOW, NOW, NOW, r.conversationId, r.threadOf === null ? null : r.threadOf + 1],
    );
  }
}

/** The lookup as one query over every mention of the conversation (what migration 001's whole index served). */
async function oneQuery(db: Engine, q: Parameters<typeof conversationRoot>[1]): Promise<number | null> {
  const found = await db.get<{ root: number }>(
    `SELECT coalesce(thread_id, id) AS root FROM mentions
     WHERE platform = ? AND conversation_id = ? AND (author_id = ? OR author_handle = ?) AND id < ?
     ORDER BY id LIMIT 1`,
    [q.platform, q.conversationId, q.authorId ?? '', q.authorHandle, q.before],
  );
  return found?.root ?? null;
}

/** Every lookup thread linking can make on these rows: each platform, conversation, author and bound. */
async function compareAll(db: Engine, rows: readonly Row[]): Promise<number> {
  let found = 0;
  for (const platform of ['twitter', 'bluesky']) {
    for (const conversationId of ['1', '2', '3', '5', 'x']) {
      for (const [authorId, authorHandle] of [['a', 'kim'], [null, 'lee'], ['b', 'nobody']] as const) {
        for (const before of [2, 5, rows.length + 1]) {
          const q = { platform, conversationId, authorId, authorHandle, before };
          const want = await oneQuery(db, q);
          expect(await conversationRoot(db, q), JSON.stringify(q)).toBe(want);
          if (want !== null) found++;
        }
      }
    }
  }
  return found;
}

describe('migration 020: the conversation members index', () => {
  it('replaces the whole conversation index of a version-19 store, and the lookup reads the unique key and the new index', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 19);
    const index = (name: string) => db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) as { sql: string } | undefined;
    expect(index('mentions_conversation')).toBeDefined();
    await insert(engineOf(db), stored([{ platform: 'twitter', id: 1, own: true, conversationId: null, authorId: 'a', authorHandle: 'kim', threadOf: null }]));
    await migrate(engineOf(db), ':memory:');
    expect(index('mentions_conversation')).toBeUndefined();
    expect(index('mentions_conversation_members')!.sql).toMatch(/WHERE conversation_id IS NOT NULL AND conversation_id <> external_id/);
    // The first post is not in the index; it is found all the same.
    expect(db.prepare('SELECT count(*) AS n FROM mentions INDEXED BY mentions_conversation_members WHERE platform = ? AND conversation_id = ? AND conversation_id IS NOT NULL AND conversation_id <> external_id').get('twitter', '1')).toEqual({ n: 0 });
    expect(await conversationRoot(engineOf(db), { platform: 'twitter', conversationId: '1', authorId: 'a', authorHandle: 'kim', before: 9 })).toBe(1);
  });

  it('finds the item the one-query lookup found, for any conversations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 16 }), async (generated) => {
        const db = new Database(':memory:');
        await migrate(engineOf(db), ':memory:');
        const rows = stored(generated);
        await insert(engineOf(db), rows);
        await compareAll(engineOf(db), rows);
        db.close();
      }),
      { numRuns: 120 },
    );
  });
});

forEachEngine('the conversation lookup after migration 020', (engine) => {
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  it('agrees with the one-query lookup, first posts stored before and after their replies', async () => {
    store = await engine.fresh();
    const rows = stored(fc.sample(row, { numRuns: 40, seed: 20 }));
    await insert(store.db, rows);
    expect(await compareAll(store.db, rows)).toBeGreaterThan(5);
  });
});
