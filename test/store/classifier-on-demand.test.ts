/**
 * A poll that stores nothing never loads the classifier: `poll` builds its first guess on demand
 * (learning.classifierOnDemand), and storePage makes it ready only for a page with mentions — once, however
 * many sources store at the same time.
 */
import { expect, it } from 'vitest';
import { storePage } from '../../src/poll/poll-sources.js';
import type { AssessHook } from '../../src/store/mentions.js';
import type { FetchedPage, NewMention } from '../../src/sources/types.js';
import { newMention } from '../helpers/mentions.js';
import { Classifier } from '../../src/triage/classify.js';
import { assessAtIngest } from '../../src/triage/assess.js';
import { loadModel } from '../../src/classifier/index.js';
import { openStore } from '../../src/store/open.js';

const NOW = Date.UTC(2026, 11, 1, 9);
const SOURCE = { name: 'x', prices: undefined };

const mention = (id: number): NewMention => newMention(id, NOW - 60_000, { text: 'acme my order never arrived' });
const page = (mentions: NewMention[]): FetchedPage => ({ mentions, ownReplies: [], cursor: { next: 1 }, postsRead: mentions.length });

it('loads the model for the first page with mentions only, once for concurrent pages, and guesses with it', async () => {
  const store = await openStore(':memory:');
  try {
    let loads = 0;
    const classifier = new Classifier(async () => {
      loads++;
      return loadModel();
    });
    const assess: AssessHook = assessAtIngest({ sla: {}, timezone: 'UTC' }, () => NOW, classifier);
    const options = { db: store.db, now: () => NOW, assess };
    await storePage(options, SOURCE, 'all', page([]));
    expect(loads).toBe(0);
    await Promise.all([storePage(options, SOURCE, 'a', page([mention(1)])), storePage(options, SOURCE, 'b', page([mention(2)]))]);
    expect(loads).toBe(1);
    const rows = await store.db.all<{ category: string | null }>('SELECT category FROM mentions ORDER BY id');
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.category !== null)).toBe(true);
  } finally {
    await store.close();
  }
});
