import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { openPostgresEngine, PostgresEngine } from '../../src/store/postgres.js';
import { migratePostgres, POSTGRES_BASELINE_VERSION, postgresOwnership } from '../../src/store/postgres-schema.js';
import { adminQuery, describePostgres, freshDatabase } from '../helpers/postgres.js';

describePostgres('the PostgreSQL engine on a real server', () => {
  let url: string;
  let db: PostgresEngine;

  beforeAll(async () => {
    url = await freshDatabase('engine');
    db = await openPostgresEngine(url);
    await migratePostgres(db, [], POSTGRES_BASELINE_VERSION);
  });
  afterAll(async () => {
    await db?.close();
  });

  const mention = (externalId: string, text = 'hello') => ({
    platform: 'twitter',
    source: 'twitter',
    externalId,
    handle: 'kim',
    text,
    at: 1_764_633_600_123,
  });
  const insertMention = (engine: PostgresEngine | Parameters<Parameters<PostgresEngine['transaction']>[0]>[0], m: ReturnType<typeof mention>) =>
    engine.get<{ id: number }>(
      `INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, status_changed_at)
       VALUES (@platform, @source, @externalId, @handle, @text, @at, @at, @at) RETURNING id`,
      m,
    );

  it('runs the common SQL: ? and @name become $n, while literals, quoted names, comments and casts stay as written', async () => {
    const row = await db.get(
      `SELECT ? AS a, '?' AS b, 'it''s @x' AS c, ?::bigint + 1 AS d, "nul?" FROM (SELECT 'q' AS "nul?") t -- a comment? @x
       WHERE ? = 'yes'`,
      ['one', '41', 'yes'],
    );
    expect(row).toEqual({ a: 'one', b: '?', c: "it's @x", d: 42, 'nul?': 'q' });
    const named = await db.get('SELECT @n::bigint * 2 AS twice, @n::bigint AS again, @s AS s', { n: 21, s: 'x' });
    expect(named).toEqual({ twice: 42, again: 21, s: 'x' });
  });

  it('reads int8 and numeric as numbers and refuses an integer beyond 2^53 instead of rounding it', async () => {
    expect(await db.get('SELECT 9007199254740991::bigint AS max, count(*) AS n, sum(x)::numeric AS s FROM (VALUES (1), (2)) v(x)')).toEqual({
      max: 9007199254740991,
      n: 2,
      s: 3,
    });
    await expect(db.get('SELECT 9007199254740993::bigint AS n')).rejects.toThrow(StoreError);
    await expect(db.get('SELECT 9007199254740993::bigint AS n')).rejects.toThrow(/beyond 2\^53/);
  });

  it('keeps platform ids above 2^53, epoch-ms times and JSON text exactly as written', async () => {
    const id = '1998877665544332211009';
    const json = '{"ids":[1998877665544332211009],"x":1.0000000000000001, "é":"\\u00e9"}';
    const { id: rowId } = (await insertMention(db, mention(id)))!;
    await db.run('UPDATE mentions SET keywords = ?, conversation_id = ? WHERE id = ?', [json, '18446744073709551617', rowId]);
    const back = await db.get<{ external_id: string; keywords: string; conversation_id: string; created_at: number }>(
      'SELECT external_id, keywords, conversation_id, created_at FROM mentions WHERE id = ?',
      [rowId],
    );
    expect(back).toEqual({ external_id: id, keywords: json, conversation_id: '18446744073709551617', created_at: 1_764_633_600_123 });
  });

  it('gives rows as arrays in column order, and booleans as 0/1', async () => {
    expect(await db.rows('SELECT 1 AS a, ? AS b, 1 = 1 AS t, 1 = 2 AS f', ['x'])).toEqual([[1, 'x', 1, 0]]);
  });

  it('streams a large result through a cursor, in order, without losing a row between batches', async () => {
    const seen: number[] = [];
    for await (const [n] of db.stream<[number]>('SELECT n FROM generate_series(1, ?) AS g(n) ORDER BY n', [2503])) seen.push(n);
    expect(seen.length).toBe(2503);
    expect(seen.every((n, i) => n === i + 1)).toBe(true);
  });

  it('commits a transaction on one connection, rolls it back when it throws, and nests as a savepoint', async () => {
    await db.transaction(async (tx) => {
      await insertMention(tx, mention('tx-kept'));
    });
    await expect(
      db.transaction(async (tx) => {
        await insertMention(tx, mention('tx-rolled-back'));
        // Seen inside the transaction, which is one connection.
        expect(await tx.get("SELECT 1 AS n FROM mentions WHERE external_id = 'tx-rolled-back'")).toEqual({ n: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await db.transaction(async (tx) => {
      await insertMention(tx, mention('outer'));
      await expect(
        tx.transaction(async (inner) => {
          await insertMention(inner, mention('inner'));
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
    });
    const ids = (await db.all<{ external_id: string }>("SELECT external_id FROM mentions WHERE external_id IN ('tx-kept','tx-rolled-back','outer','inner') ORDER BY external_id")).map(
      (r) => r.external_id,
    );
    expect(ids).toEqual(['outer', 'tx-kept']);
  });

  it('lets a unique key decide between concurrent writers: ON CONFLICT DO NOTHING stores one row', async () => {
    const writers = await Promise.all(
      Array.from({ length: 6 }, () =>
        db.run(
          `INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, status_changed_at)
           VALUES ('twitter', 'twitter', 'same', 'kim', 't', 1, 1, 1) ON CONFLICT (platform, external_id) DO NOTHING`,
        ),
      ),
    );
    expect(writers.reduce((n, r) => n + r.changes, 0)).toBe(1);
    expect(await db.get("SELECT count(*) AS n FROM mentions WHERE external_id = 'same'")).toEqual({ n: 1 });
  });

  it('keeps the audit trail append-only, as on SQLite', async () => {
    const { id } = (await insertMention(db, mention('audited')))!;
    await db.run("INSERT INTO events (mention_id, at, kind, new_value, actor) VALUES (?, 1, 'note', 'n', 'kim')", [id]);
    await expect(db.run('UPDATE events SET actor = ? WHERE mention_id = ?', ['someone', id])).rejects.toThrow(/append-only/);
    await expect(db.run('DELETE FROM events WHERE mention_id = ?', [id])).rejects.toThrow(/append-only/);
  });

  it('gives a named lock to one connection at a time: the other gets null at once, and gets it after the release', async () => {
    const other = await openPostgresEngine(url);
    try {
      const held = await db.tryLock('poll');
      expect(held).not.toBeNull();
      expect(await other.tryLock('poll')).toBeNull();
      // Another name is another lock.
      const delivery = await other.tryLock('alert-delivery');
      expect(delivery).not.toBeNull();
      await held!.release();
      const next = await other.tryLock('poll');
      expect(next).not.toBeNull();
      await next!.release();
      await delivery!.release();
    } finally {
      await other.close();
    }
  });

  it('releases a lock when its holder goes away without releasing it (a killed poll)', async () => {
    const holder = await openPostgresEngine(url);
    expect(await holder.tryLock('poll')).not.toBeNull();
    await holder.close();
    const lock = await db.tryLock('poll');
    expect(lock).not.toBeNull();
    await lock!.release();
  });
});

describePostgres('PostgreSQL schema ownership', () => {
  it('stamps an empty database as ours at the baseline version, and leaves it be on the next open', async () => {
    const url = await freshDatabase('owned');
    const db = await openPostgresEngine(url);
    try {
      expect(await postgresOwnership(db)).toEqual({ owner: 'empty' });
      await migratePostgres(db, [], POSTGRES_BASELINE_VERSION);
      expect(await postgresOwnership(db)).toEqual({ owner: 'ours', version: POSTGRES_BASELINE_VERSION });
      await migratePostgres(db, [], POSTGRES_BASELINE_VERSION);
      expect(await postgresOwnership(db)).toEqual({ owner: 'ours', version: POSTGRES_BASELINE_VERSION });
    } finally {
      await db.close();
    }
  });

  it('migrates once when two connections open an empty database at the same time', async () => {
    const url = await freshDatabase('race');
    const a = await openPostgresEngine(url);
    const b = await openPostgresEngine(url);
    try {
      await Promise.all([migratePostgres(a, [], POSTGRES_BASELINE_VERSION), migratePostgres(b, [], POSTGRES_BASELINE_VERSION)]);
      expect(await a.get("SELECT value FROM brandwatch_meta WHERE key = 'schema_version'")).toEqual({ value: String(POSTGRES_BASELINE_VERSION) });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("refuses another application's database and writes nothing to it", async () => {
    const url = await freshDatabase('foreign');
    await adminQuery(url, 'CREATE TABLE customers (id int primary key, name text)');
    const db = await openPostgresEngine(url);
    try {
      await expect(migratePostgres(db, [], POSTGRES_BASELINE_VERSION)).rejects.toThrow(/not a brandwatch database \(it holds tables customers\)/);
      const tables = await adminQuery(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
      expect(tables.rows).toEqual([{ table_name: 'customers' }]);
    } finally {
      await db.close();
    }
  });

  it('refuses a database a newer brandwatch wrote', async () => {
    const url = await freshDatabase('newer');
    const db = await openPostgresEngine(url);
    try {
      await migratePostgres(db, [], POSTGRES_BASELINE_VERSION);
      await db.run("UPDATE brandwatch_meta SET value = '99' WHERE key = 'schema_version'");
      await expect(migratePostgres(db, [], POSTGRES_BASELINE_VERSION)).rejects.toThrow(/newer brandwatch \(schema 99/);
    } finally {
      await db.close();
    }
  });
});

describePostgres('PostgreSQL connection failures', () => {
  let url: URL;
  let saved: string | undefined;
  beforeAll(async () => {
    url = new URL(await freshDatabase('auth'));
    saved = process.env.PGPASSWORD;
    delete process.env.PGPASSWORD;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.PGPASSWORD;
    else process.env.PGPASSWORD = saved;
  });

  const failure = async (target: string): Promise<Error> => {
    const error = await openPostgresEngine(target).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(StoreError);
    return error!;
  };

  it('says to check PGPASSWORD/.pgpass when the password is wrong, and never shows it', async () => {
    const wrong = new URL(url);
    wrong.password = 'Wr0ng-s3cret-p4ss';
    const error = await failure(wrong.toString());
    expect(error.message).toMatch(/refused the login of brandwatch_test .*check PGPASSWORD or the ~\/\.pgpass entry/);
    expect(error.message).not.toContain('Wr0ng-s3cret-p4ss');
    expect(error.message).not.toContain(url.password);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(new PostgresEngine(wrong.toString()).location).not.toContain('Wr0ng');
  });

  it('says a password is needed when none is found, and reads one from PGPASSWORD or the password file', async () => {
    const bare = new URL(url);
    const password = bare.password;
    bare.password = '';
    const dir = mkdtempSync(join(tmpdir(), 'bw-pgpass-'));
    const savedFile = process.env.PGPASSFILE;
    try {
      process.env.PGPASSFILE = join(dir, 'missing');
      expect((await failure(bare.toString())).message).toMatch(/asked for a password .* set PGPASSWORD or add a ~\/\.pgpass entry/);

      process.env.PGPASSWORD = password;
      const viaEnv = await openPostgresEngine(bare.toString());
      await viaEnv.close();
      delete process.env.PGPASSWORD;

      const file = join(dir, 'pgpass');
      writeFileSync(file, `# host:port:database:user:password\n${bare.hostname}:${bare.port}:*:${bare.username}:${password}\n`);
      chmodSync(file, 0o600);
      process.env.PGPASSFILE = file;
      const viaFile = await openPostgresEngine(bare.toString());
      expect(await viaFile.get('SELECT current_user AS who')).toEqual({ who: 'brandwatch_test' });
      await viaFile.close();
    } finally {
      if (savedFile === undefined) delete process.env.PGPASSFILE;
      else process.env.PGPASSFILE = savedFile;
      delete process.env.PGPASSWORD;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says to create a database that does not exist', async () => {
    const missing = new URL(url);
    missing.pathname = '/no_such_db';
    const error = await failure(missing.toString());
    expect(error.message).toMatch(/the database "no_such_db" does not exist on the server; create it \(createdb no_such_db\)/);
    expect(error.message).not.toContain(url.password);
  });

  it('says to check the host and port when nothing listens there', async () => {
    const closed = new URL(url);
    closed.port = '1';
    const error = await failure(closed.toString());
    expect(error.message).toMatch(/cannot reach the PostgreSQL server at 127\.0\.0\.1:1 \(ECONNREFUSED\); check the host and port/);
    expect(error.message).not.toContain(url.password);
  });

  it('says which right is missing when the role may not create tables', async () => {
    const owner = new URL(url);
    await adminQuery(owner.toString(), "CREATE ROLE bw_reader LOGIN PASSWORD 'reader-Secret-9'; REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    const reader = new URL(url);
    reader.username = 'bw_reader';
    reader.password = 'reader-Secret-9';
    const db = await openPostgresEngine(reader.toString());
    try {
      const error = await migratePostgres(db, [], POSTGRES_BASELINE_VERSION).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect(error!.message).toMatch(/permission denied .*grant bw_reader the rights on this database/);
      expect(error!.message).not.toContain('reader-Secret-9');
    } finally {
      await db.close();
    }
  });
});
