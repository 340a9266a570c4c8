/** X's snowflake ids carry their creation time: milliseconds since X's epoch, shifted left by 22 bits. */
const X_EPOCH = 1_288_834_974_657n;

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + X_EPOCH);
}

/** The smallest id a post created at `at` can have. */
export function snowflakeAt(at: number): string {
  return String((BigInt(Math.max(0, Math.floor(at))) - X_EPOCH) << 22n);
}

/**
 * An id `overlap` ms older than `id` (never below 1): searching since it re-reads the posts X indexed late
 * with ids just below the newest stored one; the store drops the repeats.
 */
export function idBefore(id: string, overlap: number): string {
  if (overlap <= 0) return id;
  const lowered = BigInt(id) - (BigInt(Math.floor(overlap)) << 22n);
  return lowered > 0n ? String(lowered) : '1';
}

/** Recent search and counts reach back 7 days. */
export const SEVEN_DAYS = 7 * 86_400_000;
/** Kept inside the window's edge: a local clock a few minutes slow must not ask for a start X refuses. */
export const WINDOW_MARGIN = 15 * 60_000;

/** The oldest start_time to ask for, given our clock. */
export function windowEdge(now: number): number {
  return now - SEVEN_DAYS + WINDOW_MARGIN;
}

/**
 * X's 400 for a since_id or start_time outside the window names the bound in X's own clock
 * ("'start_time' must be on or after 2026-11-24T22:41Z"): the edge to restart from, or null.
 */
export function edgeFromRefusal(message: string): number | null {
  if (!/since_id|start_time/i.test(message)) return null;
  const match = /(?:after|on or after)\s+(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z)/i.exec(message);
  if (!match) return null;
  const at = Date.parse(match[1]!);
  return Number.isNaN(at) ? null : at + 60_000;
}
