import type { PriceTable } from '../../metrics/cost.js';
import { refreshesPerMention } from '../../metrics/refresh.js';

/** A day of polling X, as `doctor` and the bench picture it. */
export interface DayShape {
  /** Minutes between polls (cron). */
  pollEvery: number;
  /** New posts a day found by keyword search, and @mentions found by the mention timeline. */
  searchPosts: number;
  mentionPosts: number;
  searchGroups: number;
  mentionTimeline: boolean;
  ownReplies: boolean;
  counts: boolean;
  refreshMetrics: boolean;
  /** Seconds of overlap below the cursor. */
  overlap: number;
  /** Share of new posts whose author is not yet read that day (each new author is a user read). */
  newAuthorShare?: number;
  /** Share of open mentions still unhandled while their refresh schedule runs. */
  openShare?: number;
}

export interface DayCost {
  requests: number;
  /** Resources returned (what the monthly post cap counts, roughly). */
  reads: number;
  /** Re-reads of posts already read that UTC day: counted as reads, billed nothing. */
  freeRereads: number;
  dollars: number;
}

/**
 * Straight-line estimate of a day's requests, reads and money on X. Re-reads of a post the same UTC day
 * (the overlap window, metrics refreshes) are billed once; the one billed re-read per group is the first
 * poll after midnight.
 */
export function estimateDay(prices: PriceTable, day: DayShape): DayCost {
  const polls = Math.round((24 * 60) / day.pollEvery);
  const newPosts = day.searchPosts + day.mentionPosts;
  const pages = (perDay: number) => polls * Math.max(1, Math.ceil(perDay / polls / 100));
  let requests = pages(day.searchPosts) * day.searchGroups;
  if (day.mentionTimeline) requests += pages(day.mentionPosts);
  if (day.ownReplies) requests += polls;
  if (day.counts) requests += polls * day.searchGroups;
  // The overlap re-reads the newest post of each group (and any within the window) on every poll.
  const groups = day.searchGroups + (day.mentionTimeline ? 1 : 0);
  const perSecond = newPosts / 86_400;
  const overlapRereads = polls * groups * (day.overlap > 0 ? 1 + perSecond * day.overlap : 0);
  const refreshes = day.refreshMetrics ? newPosts * (day.openShare ?? 0.7) * refreshesPerMention(day.pollEvery * 60_000) : 0;
  // Refresh lookups take up to 100 ids; a due batch comes about every ten minutes while mentions are young.
  if (day.refreshMetrics && refreshes > 0) requests += Math.min(polls, Math.max(Math.ceil(refreshes / 100), Math.round(polls / 2)));
  const reads = newPosts + overlapRereads + refreshes;
  const authors = newPosts * (day.newAuthorShare ?? 0.8);
  // A refresh after midnight of a post first read the day before is billed again: about half a day's posts age across it.
  const crossMidnight = refreshes > 0 ? newPosts * (day.openShare ?? 0.7) * 0.25 : 0;
  const dollars =
    day.searchPosts * prices.postRead +
    day.mentionPosts * (day.mentionTimeline ? prices.ownedRead : prices.postRead) +
    authors * prices.userRead +
    (day.counts ? polls * day.searchGroups * prices.countsRequest : 0) +
    groups * prices.postRead +
    crossMidnight * prices.postRead;
  return { requests: Math.round(requests), reads: Math.round(reads), freeRereads: Math.round(overlapRereads + refreshes - crossMidnight), dollars: Math.round(dollars * 1000) / 1000 };
}
