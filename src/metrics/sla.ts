import type { Config } from '../config/schema.js';
import { CALENDAR_TIME, type ResponseClock } from '../time/business.js';

/** The first-response target for a platform: its own entry in `sla`, else `sla.default`, else 24 h. */
export function slaTarget(config: Pick<Config, 'sla'>, platform: string): number {
  return config.sla[platform] ?? config.sla.default ?? 86_400_000;
}

/**
 * When the first response is due: `target` after creation on the given clock
 * (calendar by default; a business clock skips closed hours, see src/time/business.ts).
 */
export function slaDeadline(createdAt: number, target: number, clock: ResponseClock = CALENDAR_TIME): number {
  return clock.add(createdAt, target);
}
