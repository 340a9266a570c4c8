/**
 * The first-response SLA (DESIGN §8): each platform's target, the deadline on the configured clock,
 * and where a mention stands against it — TS and SQL side by side, for the report, the CSV, `list
 * --breached`, triage's priority and the SLA alerts alike.
 */
import type { Config } from '../config/schema.js';
import type { Channel } from './vocabulary.js';
import { CALENDAR_TIME, responseClockFor, type ResponseClock } from '../time/business.js';
import { systemTimeZone } from '../time/zone.js';
import { needsResponse, type MeasuredMention } from './response.js';

import { DEFAULT_SLA_TARGET, DM_SLA_PREFIX } from '../config/defaults.js';
export { DEFAULT_SLA_TARGET };

/** The SLA targets when there is no config at all (`--db` alone). */
export const DEFAULT_SLA: Config['sla'] = { default: DEFAULT_SLA_TARGET };

/**
 * The first-response target for a platform: its own entry in `sla`, else `sla.default`, else 24 h. A direct
 * message takes `sla.dm.<platform>`, else `sla.dm.default`, else the platform's own target.
 */
export function slaTarget(config: Pick<Config, 'sla'>, platform: string, channel: Channel = 'public'): number {
  const sla = config.sla;
  const publicTarget = sla[platform] ?? sla.default ?? DEFAULT_SLA_TARGET;
  if (channel === 'public') return publicTarget;
  return sla[`${DM_SLA_PREFIX}${platform}`] ?? sla[`${DM_SLA_PREFIX}default`] ?? publicTarget;
}

/** slaTarget as SQL over `m.platform` (and `m.channel` when DM targets are set): CASEs over parameters it adds to `params`. */
export function slaTargetSql(sla: Config['sla'], params: Record<string, number | string>): string {
  params.defaultTarget = sla.default ?? DEFAULT_SLA_TARGET;
  const byPlatform = (keys: string[], prefix: string, fallback: string): string => {
    const cases = keys.sort().map((platform) => {
      const i = Object.keys(params).length;
      params[`slaPlatform${i}`] = platform;
      params[`slaTarget${i}`] = sla[`${prefix}${platform}`]!;
      return ` WHEN @slaPlatform${i} THEN CAST(@slaTarget${i} AS BIGINT)`;
    });
    return cases.length > 0 ? `(CASE m.platform${cases.join('')} ELSE ${fallback} END)` : fallback;
  };
  // Typed casts: PostgreSQL cannot infer a parameter's type from CASE branches alone.
  const platforms = Object.keys(sla).filter((key) => key !== 'default' && !key.startsWith(DM_SLA_PREFIX));
  const publicTarget = byPlatform(platforms, '', 'CAST(@defaultTarget AS BIGINT)');
  const dmKeys = Object.keys(sla).filter((key) => key.startsWith(DM_SLA_PREFIX)).map((key) => key.slice(DM_SLA_PREFIX.length));
  if (dmKeys.length === 0) return publicTarget;
  // A platform without its own DM target takes dm.default, else its public target.
  const dmDefault = dmKeys.includes('default') ? (params.dmDefaultTarget = sla[`${DM_SLA_PREFIX}default`]!, 'CAST(@dmDefaultTarget AS BIGINT)') : publicTarget;
  const dmTarget = byPlatform(dmKeys.filter((key) => key !== 'default'), DM_SLA_PREFIX, dmDefault);
  return `(CASE WHEN m.channel = 'dm' THEN ${dmTarget} ELSE ${publicTarget} END)`;
}

/**
 * When the first response is due: `target` after creation on the given clock
 * (calendar by default; a business clock skips closed hours, see src/time/business.ts).
 */
export function slaDeadline(createdAt: number, target: number, clock: ResponseClock = CALENDAR_TIME): number {
  return clock.add(createdAt, target);
}

export function slaDeadlineSql(clock: Pick<ResponseClock, 'kind'>, target: string): string {
  return clock.kind === 'calendar' ? `(m.created_at + ${target})` : `bw_business_add(m.created_at, ${target})`;
}

/** Past the deadline: an answer at the deadline itself still meets it, so the deadline instant is not yet a breach. */
export function isPastDeadline(deadline: number, at: number): boolean {
  return at > deadline;
}

export type SlaState = 'met' | 'breached' | 'pending' | 'not-needed';

/**
 * Against the first-response deadline (see slaDeadline): met when answered by it; breached when
 * answered after it, or unanswered once `asOf` has passed it; pending while still within it.
 */
export function slaState(m: MeasuredMention, deadline: number, asOf: number): SlaState {
  if (!needsResponse(m)) return 'not-needed';
  if (m.firstResponseAt !== null) return isPastDeadline(deadline, m.firstResponseAt) ? 'breached' : 'met';
  return isPastDeadline(deadline, asOf) ? 'breached' : 'pending';
}

/** slaState's breach rule (isPastDeadline) over already computed SQL columns (needs, deadline, first response); reads `@asOf`. */
export function breachedSql(needs: string, deadline: string, firstResponse: string): string {
  return `(${needs} AND ${deadline} < coalesce(${firstResponse}, @asOf))`;
}

/** slaState's "met" over already computed SQL columns. */
export function metSql(firstResponse: string, deadline: string): string {
  return `(${firstResponse} IS NOT NULL AND ${firstResponse} <= ${deadline})`;
}

/** Where an item still waiting for us stands at `now`: what triage's priority and the SLA alerts read. */
export interface SlaStanding {
  target: number;
  deadline: number;
  /** Clock time the customer has waited (business time only, on a business clock). */
  used: number;
  /** Until the deadline (negative once past it). */
  left: number;
  /** Past the deadline, as slaState says of an unanswered mention. */
  breached: boolean;
}

/** The SLA clock of an item waiting since `waitingSince` (its mention's creation, or the follow-up after our reply). */
export function slaStanding(waitingSince: number, target: number, clock: ResponseClock, now: number): SlaStanding {
  const deadline = slaDeadline(waitingSince, target, clock);
  return { target, deadline, used: clock.elapsed(waitingSince, now), left: deadline - now, breached: isPastDeadline(deadline, now) };
}

const clocks = new WeakMap<object, ResponseClock>();

/**
 * The clock a config asks for, in its own `timezone` (else the system's, as the CLI resolves it), for
 * callers that hold a config but no resolved zone. Cached per config object.
 */
export function responseClockOf(config: Pick<Config, 'businessHours' | 'timezone'>): ResponseClock {
  if (!config.businessHours) return CALENDAR_TIME;
  let clock = clocks.get(config);
  if (!clock) {
    clock = responseClockFor(config, config.timezone ?? systemTimeZone());
    clocks.set(config, clock);
  }
  return clock;
}
