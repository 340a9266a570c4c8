import type { Config } from '../config/schema.js';
import { responseClockOf, slaTarget } from '../metrics/sla.js';
import type { Db } from '../store/open.js';
import type { AssessHook, Assessment, Mention } from '../store/mentions.js';
import { changePriorityInputs, itemsWithDuePriority, priorityInputs, setPriorities, type PriorityChange, type PriorityFacts } from '../store/queue.js';
import { newestFollowUpAfter } from '../store/threads.js';
import type { NewMention } from '../sources/types.js';
import type { Classifier } from './classify.js';
import { priority, type Priority } from './priority.js';

/** What priority reads from the config: the SLA targets and the clock they run on. */
export type PriorityConfig = Pick<Config, 'sla' | 'businessHours' | 'timezone'>;

/** Priority of a stored item; `waitingSince` defaults to the mention's own time. */
export function priorityOf(mention: PriorityFacts, config: PriorityConfig, now: number, waitingSince = mention.createdAt, explain = true): Priority {
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
export function assessAtIngest(config: PriorityConfig, now: () => number, classifier: Classifier): AssessHook {
  const clock = responseClockOf(config);
  const assess: AssessHook = (m, fetchedAt) => {
    const { category, sentiment, confidence, unsure } = classifier.classify(m.text, m.lang);
    // The row's engagement reading is stamped with its fetch time: the priority is read at that time, as the recompute reads it.
    const at = fetchedAt ?? now();
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
    return { category, sentiment, confidence, unsure, priority: result.score, settled: settled({ metricsUpdatedAt: at, previousEngagement: null }, result) };
  };
  assess.ready = async () => {
    await classifier.ready();
  };
  // A priority stored as settled was computed with this config: the store records it first, so that a later
  // change of config makes it due again (changePriorityInputs).
  assess.beforeStore = (tx) => usePriorityConfig(tx, config);
  return assess;
}

/** Since when an item's customer waits, given its newest follow-up after our first response (null: none). */
export function waitingSinceOf(mention: PriorityFacts, newestFollowUp: number | null): number {
  if (mention.firstResponseAt === null) return mention.createdAt;
  return newestFollowUp ?? Math.max(mention.createdAt, mention.statusChangedAt);
}

/** Since when an item's customer waits: its first mention, or the newest follow-up after our last reply. */
export async function waitingSince(db: Db, mention: Mention): Promise<number> {
  if (mention.firstResponseAt === null) return mention.createdAt;
  return waitingSinceOf(mention, await newestFollowUpAfter(db, mention.id, mention.firstResponseAt));
}

/**
 * Whether a priority computed now stays right at any later time: the SLA part is at its top once the SLA is
 * breached (src/triage/priority.ts clamps the time used at the target), and velocity is read at the metrics'
 * own time when they have one. Without a reading (a row not written by a poll, which always stamps one), velocity
 * is the engagement since posted spread over the age, which only falls as the item ages: once its points round
 * to nothing they stay there. Only then may the item wait for an input to change (migration 015).
 */
function settled(mention: Pick<PriorityFacts, 'metricsUpdatedAt' | 'previousEngagement'>, result: Priority): boolean {
  if (result.sla.used < Math.max(result.sla.target, 1)) return false;
  if (mention.metricsUpdatedAt !== null) return true;
  return mention.previousEngagement === null && result.parts.find((p) => p.factor === 'velocity')!.points === 0;
}

/** The config's part in every priority: when it changes, every open item's priority is due. */
function configKey(config: PriorityConfig): string {
  return JSON.stringify({ sla: config.sla, businessHours: config.businessHours ?? null, timezone: config.timezone ?? null });
}

/** Records `config` as the one stored priorities are computed with; another one before it makes every open item's priority due. */
async function usePriorityConfig(db: Db, config: PriorityConfig): Promise<void> {
  const key = configKey(config);
  if ((await priorityInputs(db)) !== key) await changePriorityInputs(db, key);
}

/**
 * Priority depends on the clock (SLA time left): refresh it for the open items whose priority is due —
 * those whose SLA still runs and those an input changed for since (migration 015) — so `list` and `triage`
 * order by the current value. Returns how many rows changed.
 */
export async function recomputePriorities(db: Db, config: PriorityConfig, now: number): Promise<number> {
  // One transaction: nothing written between reading an item and settling it is lost.
  return db.transaction(async (tx) => {
    await usePriorityConfig(tx, config);
    const changes: PriorityChange[] = [];
    let changed = 0;
    for (const { mention, newestFollowUp } of await itemsWithDuePriority(tx, now)) {
      const result = priorityOf(mention, config, now, waitingSinceOf(mention, newestFollowUp), false);
      const done = settled(mention, result);
      if (result.score !== mention.priority) changed++;
      if (result.score !== mention.priority || done) changes.push({ id: mention.id, priority: result.score, settled: done });
    }
    await setPriorities(tx, changes);
    return changed;
  });
}
