import type { Config } from '../config/schema.js';
import { slaDeadline, slaTarget } from '../metrics/sla.js';
import type { Db } from '../store/open.js';
import { rowToMention, type Assessment, type Mention } from '../store/mentions.js';
import { statement } from '../store/statements.js';
import type { NewMention } from '../sources/types.js';
import type { Classifier } from './classify.js';
import { priority, type Priority } from './priority.js';

/** Priority of a stored item; `waitingSince` defaults to the mention's own time. */
export function priorityOf(mention: Mention, config: Pick<Config, 'sla'>, now: number, waitingSince = mention.createdAt, explain = true): Priority {
  const target = slaTarget(config, mention.platform);
  return priority(
    {
      category: mention.category,
      sentiment: mention.sentiment,
      authorFollowers: mention.authorFollowers,
      waitingSince,
      deadline: slaDeadline(waitingSince, target),
      target,
      metrics: { likes: mention.likes, reposts: mention.reposts, replies: mention.replies, quotes: mention.quotes },
      metricsAt: mention.metricsUpdatedAt,
      previous: mention.previousMetrics,
      createdAt: mention.createdAt,
    },
    now,
    { explain },
  );
}

/** The `assess` hook of pollSources: category, sentiment and priority of a mention as it is stored. */
export function assessAtIngest(config: Pick<Config, 'sla'>, now: () => number, classifier: Classifier): (mention: NewMention) => Assessment {
  return (m) => {
    const { category, sentiment } = classifier.classify(m.text, m.lang);
    const at = now();
    const target = slaTarget(config, m.platform);
    const result = priority(
      {
        category,
        sentiment,
        authorFollowers: m.authorFollowers,
        waitingSince: m.createdAt,
        deadline: slaDeadline(m.createdAt, target),
        target,
        metrics: m.metrics,
        metricsAt: at,
        previous: null,
        createdAt: m.createdAt,
      },
      at,
      { explain: false },
    );
    return { category, sentiment, priority: result.score };
  };
}

/** Since when an item's customer waits: its first mention, or the newest follow-up after our last reply. */
export function waitingSince(db: Db, mention: Mention): number {
  if (mention.firstResponseAt === null) return mention.createdAt;
  const row = statement<[number, number], { at: number | null }>(
    db,
    'SELECT max(created_at) AS at FROM mentions WHERE thread_id = ? AND created_at > ?',
  ).get(mention.id, mention.firstResponseAt);
  return row?.at ?? Math.max(mention.createdAt, mention.statusChangedAt);
}

/**
 * Priority depends on the clock (SLA time left): refresh it for every open item, so `list` and
 * `triage` order by the current value. Returns how many rows changed.
 */
export function recomputePriorities(db: Db, config: Pick<Config, 'sla'>, now: number): number {
  const rows = statement<[], Parameters<typeof rowToMention>[0]>(db, "SELECT * FROM mentions WHERE status IN ('new', 'open') AND thread_id IS NULL").all();
  const update = statement(db, 'UPDATE mentions SET priority = ? WHERE id = ?');
  let changed = 0;
  db.transaction(() => {
    for (const row of rows) {
      const mention = rowToMention(row);
      const score = priorityOf(mention, config, now, waitingSince(db, mention), false).score;
      if (score !== mention.priority) {
        update.run(score, mention.id);
        changed++;
      }
    }
  })();
  return changed;
}
