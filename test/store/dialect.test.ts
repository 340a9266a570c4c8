import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  countWhere,
  equalsIgnoringCase,
  greatest,
  jsonArrayItems,
  jsonArrayValues,
  least,
  likeIgnoringCase,
  limitValue,
  never,
  textSearch,
  utcDateTime,
  utcDay,
} from '../../src/store/dialect.js';
import type { Store } from '../../src/store/open.js';
import { prepareSearch } from '../../src/store/search-index.js';
import { forEachEngine } from '../helpers/engines.js';

/** Each helper's SQL run on each engine gives the same answer: the dialects differ in spelling only. */
forEachEngine('the dialect helpers', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.fresh();
  });
  afterAll(async () => {
    await store?.close();
  });
  const one = async (sql: string, params: unknown[] = []) => Object.values((await store.db.get(sql, params))!)[0];
  const kind = engine.kind;

  it('larger and smaller of values', async () => {
    expect(await one(`SELECT ${greatest(kind, '?', '?', '2')} AS v`, [3, 5])).toBe(5);
    expect(await one(`SELECT ${least(kind, 'CAST(? AS BIGINT)', '2')} AS v`, [3])).toBe(2);
  });

  it('the elements of a JSON array held as text, with their positions', async () => {
    const values = await store.db.all(`SELECT k.value AS value FROM ${jsonArrayValues(kind, '?', 'k')} ORDER BY k.value`, ['["b","a","é"]']);
    expect(values).toEqual([{ value: 'a' }, { value: 'b' }, { value: 'é' }]);
    const items = await store.db.all(`SELECT d.key AS key, d.value ->> 1 AS day FROM ${jsonArrayItems(kind, '?', 'd')} ORDER BY d.key`, ['[[0,"mon"],[1,"tue"]]']);
    expect(items).toEqual([{ key: 0, day: 'mon' }, { key: 1, day: 'tue' }]);
  });

  it('matching that ignores letter case, as = and as LIKE', async () => {
    expect(await one(`SELECT CASE WHEN ${equalsIgnoringCase(kind, '?', '?')} THEN 1 ELSE 0 END AS v`, ['Kim_R', 'kIM_r'])).toBe(1);
    expect(await one(`SELECT CASE WHEN ${likeIgnoringCase(kind, '?', '?')} THEN 1 ELSE 0 END AS v`, ['Acme WiFi down', '%wifi%'])).toBe(1);
    expect(await one(`SELECT CASE WHEN ${likeIgnoringCase(kind, '?', '?')} THEN 1 ELSE 0 END AS v`, ['100 percent', '100\\%'])).toBe(0);
  });

  it('UTC days and times from epoch milliseconds', async () => {
    expect(await one(`SELECT ${utcDay(kind, '?')} AS v`, [Date.UTC(2026, 11, 2, 23, 59, 59, 999)])).toBe('2026-12-02');
    expect(await one(`SELECT ${utcDateTime(kind, '?')} AS v`, [Date.UTC(2026, 0, 5, 7, 8, 9, 500)])).toBe('2026-01-05 07:08:09');
  });

  it('counts of a condition, a never-true condition, and "no limit"', async () => {
    expect(await one(`SELECT ${countWhere('x > 1')} AS v FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) t`)).toBe(2);
    expect(await one(`SELECT count(*) AS v FROM (SELECT 1 AS x) t WHERE ${never(kind)}`)).toBe(0);
    expect(await store.db.all('SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 2) t ORDER BY x LIMIT ?', [limitValue(kind, undefined)])).toHaveLength(2);
  });

  it('search: every word as a prefix, any case; punctuation is never query syntax', async () => {
    expect(textSearch(kind, '*** --')).toBeNull();
    const search = textSearch(kind, "WIF pass' OR 1=1")!;
    await store.db.run(
      `INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, status_changed_at)
       VALUES ('x', 'x', '1', 'a', 'Acme wifi password: or 1 = 1', 1, 1, 1), ('x', 'x', '2', 'a', 'acme wifi down', 1, 1, 1)`,
    );
    await prepareSearch(store.db);
    expect(await store.db.all(`SELECT m.external_id AS id FROM mentions m WHERE ${search.sql}`, search.params)).toEqual([{ id: '1' }]);
  });
});
