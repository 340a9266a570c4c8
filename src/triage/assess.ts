import type { Config } from '../config/schema.js';
import { responseClockOf, slaTarget } from '../metrics/sla.js';
import type { Db } from '../store/open.js';
import type { Assessment, Mention } from '../store/mentions.js';
import { openItems, setPriorities } from '../store/queue.js';
import { newestFollowUpAfter } from '../store/threads.js';
import type { NewMention } from '../sources/types.js';
import type { Classifier } from './classify.js';
import { priority, type Priority } from './priority.js';

/** What priority reads from the config: the SLA targets and the clock they run on. */
export type PriorityConfig = Pick<Config, 'sla' | 'businessHours' | 'timezone'>;

/** Priority of a stored item; `waitingSince` defaults to the mention's own time. */
export function priorityOf(mention: Mention, config: PriorityConfig, now: number, waitingSince = mention.createdAt, explain = true): Priority {
  return priority(
    {
      category: mention.category,
      sentiment: mention.sentiment,
      authorFollowers: mention.authorFollowers,
      waitingSince,
      target: slaTarget(config, mention.platform, mention.channel),
      clock: responseClockOf(config),
      metrics: { likes: mention.likes, reposts: mention.reposts, replies: mention.replies, quotes: mention.quotes },
      metricsAt: mention.metricsUpdatedAt,
      previous: mention.previousEngagement,
      createdAt: mention.createdAt,
    },
    now,
    { explain },
  );
}

/** The `assess` hook of pollSources: category, sentiment and priority of a mention as it is stored. */
export function assessAtIngest(config: PriorityConfig, now: () => number, classifier: Classifier): (mention: NewMention) => Assessment {
  const clock = responseClockOf(config);
  return (m) => {
    const { category, sentiment, confidence, unsure } = classifier.classify(m.text, m.lang);
    const at = now();
    const result = priority(
      {
        category,
        sentiment,
        authorFollowers: m.authorFollowers,
        waitingSince: m.createdAt,
        target: slaTarget(config, m.platform, m.channel ?? 'public'),
        clock,
        metrics: m.metrics,
        metricsAt: at,
        previous: null,
        createdAt: m.createdAt,
      },
      at,
      { explain: false },
    );
    return { category, sentiment, confidence, unsure, priority: result.score };
  };
}

/** Since when an item's customer waits: its first mention, or the newest follow-up after our last reply. */
export async function waitingSince(db: Db, mention: Mention): Promise<number> {
  if (mention.firstResponseAt === null) return mention.createdAt;
  return await newestFollowUpAfter(db, mention.id, mention.firstResponseAt) ?? Math.max(mention.createdAt, mention.statusChangedAt);
}

/**
 * Priority depends on the clock (SLA time left): refresh it for every open item, so `list` and
 * `triage` order by the current value. Returns how many rows changed.
 */
export async function recomputePriorities(db: Db, config: PriorityConfig, now: number): Promise<number> {
  const changes: { id: number; priority: number }[] = [];
  for (const mention of await openItems(db)) {
    const score = priorityOf(mention, config, now, await waitingSince(db, mention), false).score;
    if (score !== mention.priority) changes.push({ id: mention.id, priority: score });
  }
  await setPriorities(db, changes);
  return changes.length;
}
