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
