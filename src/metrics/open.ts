/**
 * What counts as open: a mention still waiting for the person (`new` or `open`), and an open item —
 * an open thread root (follow-ups show as part of their item, DESIGN §4). TS and SQL side by side;
 * test/report/metrics.test.ts checks they agree.
 */
import type { Status } from './vocabulary.js';

/** Statuses still waiting for the person. */
export const OPEN_STATUSES: readonly Status[] = ['new', 'open'];

export function isOpen(status: Status): boolean {
  return OPEN_STATUSES.includes(status);
}

/** An open item of the queue: an open mention that is not a follow-up of another. */
export function isOpenItem(m: { status: Status; threadId: number | null }): boolean {
  return isOpen(m.status) && m.threadId === null;
}

// Built from the constant list above, never from input.
const OPEN_LIST = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

/** isOpen over a status column (default `status`). */
export function openSql(column = 'status'): string {
  return `(${column} IN (${OPEN_LIST}))`;
}

/** isOpenItem over a `mentions` row, columns optionally qualified by an alias (`m.`). */
export function openItemSql(alias = ''): string {
  return `(${alias}status IN (${OPEN_LIST}) AND ${alias}thread_id IS NULL)`;
}
