/**
 * Reply outcomes every platform's ReplyChannel shares. A `ReplyRefused` means the platform answered and
 * did not post (nothing to check later); any other error from `reply` leaves the outcome unknown
 * (timeout, reset, 5xx) and the caller must run `findReply` before trying again.
 */
export class ReplyRefused extends Error {
  override name = 'ReplyRefused';
  constructor(
    message: string,
    /** The refusal may pass (rate limit): the same reply may be tried again later. */
    readonly retryable = false,
  ) {
    super(message);
  }
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** User-perceived characters (grapheme clusters), as Bluesky counts its 300-character limit. */
export function graphemeLength(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/** Compare two platform ids that are decimal strings or same-length sortable strings (ULIDs): longer is newer. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
