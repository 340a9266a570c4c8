import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEngine } from '../../src/store/sqlite.js';
import { openStore } from '../../src/store/open.js';
import { StoreError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

function engine(): SqliteEngine {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)');
  return new SqliteEngine(db, ':memory:');
}

const later = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

describe('the SQLite engine', () => {
  it('binds `?` arrays and `@name` objects, and reads rows as objects or arrays', async () => {
    const db = engine();
    expect(await db.run('INSERT INTO t (v) VALUES (?), (?)', ['a', 'b'])).toEqual({ changes: 2 });
    expect(await db.get('SELECT v FROM t WHERE id = @id', { id: 2 })).toEqual({ v: 'b' });
    expect(await db.all('SELECT id, v FROM t ORDER BY id')).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ]);
    expect(await db.rows('SELECT id, v FROM t ORDER BY id')).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(await db.get('SELECT v FROM t WHERE id = 9')).toBeUndefined();
    expect(await db.get<{ id: number }>('INSERT INTO t (v) VALUES (?) RETURNING id', ['c'])).toEqual({ id: 3 });
  });

  it('makes a statement from outside wait while a transaction is open, and commits the transaction whole', async () => {
    const db = engine();
    const order: string[] = [];
    let inside!: () => void;
    const held = new Promise<void>((resolve) => (inside = resolve));
    const tx = db.transaction(async (t) => {
      await t.run("INSERT INTO t (v) VALUES ('in-1')");
      inside();
      await later();
      await t.run("INSERT INTO t (v) VALUES ('in-2')");
      order.push('tx done');
    });
    await held;
    // Sent while the transaction is open: it must neither join it nor see its rows early.
    const outside = db.all<{ v: string }>('SELECT v FROM t ORDER BY id').then((rows) => {
      order.push('outside read');
      return rows.map((r) => r.v);
    });
    await tx;
    expect(await outside).toEqual(['in-1', 'in-2']);
    expect(order).toEqual(['tx done', 'outside read']);
  });

  it('rolls back when the callback throws, and a nested transaction rolls back only its own part', async () => {
    const db = engine();
    await expect(
      db.transaction(async (t) => {
        await t.run("INSERT INTO t (v) VALUES ('gone')");
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.all('SELECT v FROM t')).toEqual([]);

    await db.transaction(async (t) => {
      await t.run("INSERT INTO t (v) VALUES ('kept')");
      await expect(
        t.transaction(async (inner) => {
          await inner.run("INSERT INTO t (v) VALUES ('inner')");
          await inner.run("INSERT INTO t (v) VALUES ('kept')"); // unique violation
        }),
      ).rejects.toThrow(/UNIQUE/);
      await t.transaction(async (inner) => void (await inner.run("INSERT INTO t (v) VALUES ('inner ok')")));
    });
    expect((await db.all<{ v: string }>('SELECT v FROM t ORDER BY id')).map((r) => r.v)).toEqual(['kept', 'inner ok']);
  });

  it('refuses a statement sent to the engine from inside its own transaction instead of waiting for ever', async () => {
    const db = engine();
    await expect(db.transaction(async () => db.run("INSERT INTO t (v) VALUES ('x')"))).rejects.toThrow(/pass the transaction handle/);
    await expect(db.transaction(async () => db.transaction(async () => undefined))).rejects.toThrow(/pass the transaction handle/);
    // The engine is usable afterwards, and nothing was written.
    expect(await db.all('SELECT * FROM t')).toEqual([]);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    const db = engine();
    let leaked: SqliteEngine | null = null;
    await db.transaction(async (t) => void (leaked = t as SqliteEngine));
    await expect(leaked!.run("INSERT INTO t (v) VALUES ('late')")).rejects.toThrow(/after its transaction ended/);
  });

  it('streams every row in order, letting other work run, and holds writes back until the stream ends', async () => {
    const db = engine();
    await db.transaction(async (t) => {
      for (let i = 0; i < 5000; i++) await t.run('INSERT INTO t (v) VALUES (?)', [`v${i}`]);
    });
    const seen: number[] = [];
    let write: Promise<unknown> | null = null;
    let wroteDuringStream = false;
    for await (const [id] of db.stream<[number]>('SELECT id FROM t ORDER BY id')) {
      seen.push(id);
      if (id === 10) write = db.run("INSERT INTO t (v) VALUES ('after')").then(() => (wroteDuringStream = seen.length < 5000));
    }
    await write;
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(wroteDuringStream).toBe(false);
    expect(await db.get('SELECT count(*) AS n FROM t')).toEqual({ n: 5001 });
  });

  it('ends a stream left early so the connection can write again', async () => {
    const db = engine();
    await db.run("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
    for await (const row of db.stream('SELECT v FROM t')) {
      expect(row).toEqual(['a']);
      break;
    }
    expect(await db.run("INSERT INTO t (v) VALUES ('d')")).toEqual({ changes: 1 });
  });

  it("translates SQLite's failures into the store's error, but leaves constraint violations to the store functions", async () => {
    const db = engine();
    await expect(db.all('SELECT * FROM missing')).rejects.toThrow(StoreError);
    await expect(db.all('SELECT * FROM missing')).rejects.toThrow(/:memory:: database error: no such table: missing/);
    await db.run("INSERT INTO t (v) VALUES ('a')");
    const violation = await db.run("INSERT INTO t (v) VALUES ('a')").catch((error: unknown) => error);
    expect(violation).not.toBeInstanceOf(StoreError);
    expect((violation as { code: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
  });

  it("waits for another connection's write transaction without stopping this process", async () => {
    const path = join(tempDir(), 'two.db');
    const [a, b] = [await openStore(path), await openStore(path)];
    const order: string[] = [];
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const first = a.db.transaction(async (tx) => {
      await tx.run("INSERT INTO alert_state (name, value) VALUES ('x', 1)");
      held();
      // A timer: only fires if the other connection's wait leaves the event loop running.
      await new Promise<void>((resolve) => setTimeout(resolve, 30));
      order.push('first committed');
    });
    await holding;
    const second = b.db.transaction(async (tx) => {
      order.push('second began');
      await tx.run("UPDATE alert_state SET value = value + 1 WHERE name = 'x'");
    });
    await Promise.all([first, second]);
    expect(order).toEqual(['first committed', 'second began']);
    expect(await a.db.get("SELECT value FROM alert_state WHERE name = 'x'")).toEqual({ value: 2 });
    await a.close();
    await b.close();
  });

  it("a single write outside a transaction also waits for another connection's transaction without stopping this process", async () => {
    const path = join(tempDir(), 'single.db');
    const [a, b] = [await openStore(path), await openStore(path)];
    const order: string[] = [];
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const first = a.db.transaction(async (tx) => {
      await tx.run("INSERT INTO alert_state (name, value) VALUES ('y', 1)");
      held();
      // SQLite's own busy wait on `b` would stop this timer, and with it the transaction `b` waits for.
      await new Promise<void>((resolve) => setTimeout(resolve, 30));
      order.push('first committed');
    });
    await holding;
    const second = b.db.run("UPDATE alert_state SET value = value + 1 WHERE name = 'y'").then((result) => order.push(`second changed ${result.changes}`));
    await Promise.all([first, second]);
    expect(order).toEqual(['first committed', 'second changed 1']);
    expect(await b.db.get("SELECT value FROM alert_state WHERE name = 'y'")).toEqual({ value: 2 });
    await a.close();
    await b.close();
  });

  it('takes the named locks beside the database file: one holder at a time, across connections', async () => {
    const path = join(tempDir(), 'locks.db');
    const [a, b] = [await openStore(path), await openStore(path)];
    const poll = await a.db.tryLock('poll');
    expect(poll).not.toBeNull();
    expect(await b.db.tryLock('poll')).toBeNull();
    // The delivery lock is a lock of its own.
    const delivery = await b.db.tryLock('alert-delivery');
    expect(delivery).not.toBeNull();
    await poll!.release();
    const again = await b.db.tryLock('poll');
    expect(again).not.toBeNull();
    await again!.release();
    await delivery!.release();
    await a.close();
    await b.close();
  });
});
