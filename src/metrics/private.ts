/**
 * The private channel's figures (DESIGN §8, extended): items that went private, how long the customer
 * waited there for our first private answer, how long until the item was resolved, and answers in public
 * and in private counted apart. Each definition sits beside its SQL twin over `mentions` rows aliased
 * `m`; test/metrics/private.test.ts checks that both agree.
 */
import type { ResponseClock } from '../time/business.js';
import { elapsedSql } from './response.js';

/** What the private definitions read from an item (a thread's first mention). */
export interface PrivateFacts {
  createdAt: number;
  firstResponseAt: number | null;
  /** When the item went private: taken private, or a DM joined or opened it. */
  privateAt: number | null;
  firstPrivateResponseAt: number | null;
  resolvedAt: number | null;
}

/** The item went private (taken private, or the customer wrote to us by DM). */
export function wentPrivate(m: Pick<PrivateFacts, 'privateAt'>): boolean {
  return m.privateAt !== null;
}

export const WENT_PRIVATE_SQL = '(m.private_at IS NOT NULL)';

/**
 * An item with anything private about it: it went private, or we answered it privately. Any other item is
 * answered in public exactly when it was answered at all, and adds nothing to the private figures — which
 * is what lets the report read only these items (migration 018's partial index) beside its public counts.
 */
export function touchedPrivatelySql(alias = ''): string {
  return `(${alias}thread_id IS NULL AND (${alias}private_at IS NOT NULL OR ${alias}first_private_response_at IS NOT NULL))`;
}

/** Answered in private: a DM of ours went to the customer. */
export function answeredPrivately(m: Pick<PrivateFacts, 'firstPrivateResponseAt'>): boolean {
  return m.firstPrivateResponseAt !== null;
}

export const ANSWERED_PRIVATELY_SQL = '(m.first_private_response_at IS NOT NULL)';

/** Answered in public: the first response came before any private one (a public "please DM us" counts). */
export function answeredPublicly(m: Pick<PrivateFacts, 'firstResponseAt' | 'firstPrivateResponseAt'>): boolean {
  return m.firstResponseAt !== null && (m.firstPrivateResponseAt === null || m.firstResponseAt < m.firstPrivateResponseAt);
}

export const ANSWERED_PUBLICLY_SQL = '(m.first_response_at IS NOT NULL AND (m.first_private_response_at IS NULL OR m.first_response_at < m.first_private_response_at))';

/** Time to the first private answer: from when the item went private to our first DM, on the clock; null until both. */
export function timeToFirstPrivateAnswer(m: Pick<PrivateFacts, 'privateAt' | 'firstPrivateResponseAt'>, clock: ResponseClock): number | null {
  if (m.privateAt === null || m.firstPrivateResponseAt === null) return null;
  return clock.elapsed(m.privateAt, Math.max(m.privateAt, m.firstPrivateResponseAt));
}

export function timeToFirstPrivateAnswerSql(clock: Pick<ResponseClock, 'kind'>): string {
  return `CASE WHEN m.private_at IS NOT NULL AND m.first_private_response_at IS NOT NULL THEN ${elapsedSql(clock, 'm.private_at', 'CASE WHEN m.first_private_response_at > m.private_at THEN m.first_private_response_at ELSE m.private_at END')} END`;
}

/** Time to resolution of an item that went private: from the customer's first post to the item's resolution, on the clock. */
export function timeToResolution(m: Pick<PrivateFacts, 'createdAt' | 'privateAt' | 'resolvedAt'>, clock: ResponseClock): number | null {
  if (m.privateAt === null || m.resolvedAt === null) return null;
  return clock.elapsed(m.createdAt, Math.max(m.createdAt, m.resolvedAt));
}

export function timeToResolutionSql(clock: Pick<ResponseClock, 'kind'>): string {
  return `CASE WHEN m.private_at IS NOT NULL AND m.resolved_at IS NOT NULL THEN ${elapsedSql(clock, 'm.created_at', 'CASE WHEN m.resolved_at > m.created_at THEN m.resolved_at ELSE m.created_at END')} END`;
}
