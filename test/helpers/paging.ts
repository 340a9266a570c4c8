import { pollGroup } from '../../src/poll/poll-sources.js';
import type { CursorState, FetchedPage, PagingEnvironment, QueryGroup, Source } from '../../src/sources/types.js';

/**
 * One poll of one query group through the poll's own paging loop, with pages kept in memory instead of
 * a store; the run is interrupted (as SIGTERM would) once `stopAfter` pages are stored.
 */
export function pagingRun(stopAfter = Infinity) {
  const controller = new AbortController();
  const pages: FetchedPage[] = [];
  const env: PagingEnvironment = {
    now: () => Date.now(),
    sleep: async () => undefined,
    allowance: async (max) => max,
    countRequest: async () => undefined,
    verbose: () => undefined,
  };
  const store = async (page: FetchedPage) => {
    pages.push(page);
    if (pages.length >= stopAfter) controller.abort();
  };
  return {
    pages,
    /** True when the run was interrupted. */
    poll: (source: Source, group: QueryGroup, cursor: CursorState | null) => pollGroup(source, group, cursor, env, store, controller.signal),
  };
}
