/**
 * The metric definitions of src/metrics as one set of SQL fragments for a clock, SLA targets and an
 * `asOf` instant, with the parameters they read — what the store's report, export and list queries
 * splice in. Each fragment comes from the module that holds its TypeScript twin.
 */
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { ResponseClock } from '../time/business.js';
import { detectionLagSql, elapsedSql, firstResponseTimeSql, HANDLED_PRIVATELY_SQL, NEEDS_RESPONSE_SQL, RESPONDED_SQL } from './response.js';
import { breachedSql, metSql, slaDeadlineSql, slaTargetSql } from './sla.js';
import { ANSWERED_PRIVATELY_SQL, ANSWERED_PUBLICLY_SQL, timeToFirstPrivateAnswerSql, timeToResolutionSql, WENT_PRIVATE_SQL } from './private.js';

/** SQL fragments of the definitions over `mentions` rows aliased `m`. */
export interface MetricSql {
  needs: string;
  responded: string;
  handled: string;
  /** The platform's first-response target in ms. */
  target: string;
  deadline: string;
  frt: string;
  detectionLag: string;
  /** True when the mention breached its deadline: answered late, or unanswered past it as of `@asOf`. */
  breached: string;
  /** The breach rule over already computed columns (needs, deadline, first response). */
  breachedOf(needs: string, deadline: string, firstResponse: string): string;
  /** Answered by the deadline, over already computed columns. */
  metOf(firstResponse: string, deadline: string): string;
  elapsed(from: string, to: string): string;
  /** The private channel's figures (src/metrics/private.ts). */
  wentPrivate: string;
  answeredPublicly: string;
  answeredPrivately: string;
  firstPrivateAnswer: string;
  resolution: string;
  params: Record<string, number | string>;
}

/** The business clock calls functions that registerBusinessTimeSql() adds to the connection. */
export function metricSql(clock: ResponseClock, sla: Config['sla'], asOf: number): MetricSql {
  const params: Record<string, number | string> = { asOf };
  const target = slaTargetSql(sla, params);
  const deadline = slaDeadlineSql(clock, target);
  return {
    needs: NEEDS_RESPONSE_SQL,
    responded: RESPONDED_SQL,
    handled: HANDLED_PRIVATELY_SQL,
    target,
    deadline,
    frt: firstResponseTimeSql(clock),
    detectionLag: detectionLagSql(clock),
    breached: breachedSql(NEEDS_RESPONSE_SQL, deadline, 'm.first_response_at'),
    breachedOf: breachedSql,
    metOf: metSql,
    elapsed: (from, to) => elapsedSql(clock, from, to),
    wentPrivate: WENT_PRIVATE_SQL,
    answeredPublicly: ANSWERED_PUBLICLY_SQL,
    answeredPrivately: ANSWERED_PRIVATELY_SQL,
    firstPrivateAnswer: timeToFirstPrivateAnswerSql(clock),
    resolution: timeToResolutionSql(clock),
    params,
  };
}

/** What registerBusinessTimeSql needs of a database handle (the store's Engine has it). */
export interface SqlFunctionHost {
  readonly kind: string;
  defineFunction?(name: string, fn: (...args: unknown[]) => unknown): void;
}

/** Makes the business clock's SQL functions available on a connection (no-op for calendar time). */
export function registerBusinessTimeSql(db: SqlFunctionHost, clock: ResponseClock): void {
  if (clock.kind === 'calendar') return;
  if (!db.defineFunction) {
    throw new ConfigError(
      `businessHours: SLA figures on business hours are computed in the SQLite store only; on a ${db.kind} store remove businessHours from the config (calendar-time SLAs work on both)`,
    );
  }
  db.defineFunction('bw_business_elapsed', (from: unknown, to: unknown) => clock.elapsed(Number(from), Number(to)));
  db.defineFunction('bw_business_add', (from: unknown, duration: unknown) => {
    const at = clock.add(Number(from), Number(duration));
    return Number.isFinite(at) ? at : Number.MAX_SAFE_INTEGER;
  });
}

/** A SQL fragment with `@name` parameters rewritten to positional ones, for queries built with `?`. */
export function positional(sql: string, named: Record<string, unknown>): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const text = sql.replace(/@(\w+)/g, (_, name: string) => {
    if (!(name in named)) throw new Error(`no value for SQL parameter @${name}`);
    params.push(named[name]);
    return '?';
  });
  return { sql: text, params };
}

/** The SLA breach rule as a list filter: `list --breached`. */
export function breachCondition(clock: ResponseClock, sla: Config['sla'], asOf: number): { sql: string; params: unknown[] } {
  const sql = metricSql(clock, sla, asOf);
  return positional(sql.breached, sql.params);
}
