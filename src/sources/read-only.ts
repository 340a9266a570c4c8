import { ReplyRefused } from './reply-refused.js';
import type { ReplyAbility, ReplyChannel, ReplyTarget, SentReply } from './types.js';

export interface ReadOnlyPlatform {
  /** Why the API cannot answer, and where the person can (shown by `reply` and triage). */
  reason: string;
  /** The page where the person replies by hand. */
  webUrl(target: ReplyTarget): string | null;
  /** The refusal `reply` throws, naming that page. */
  refusal(target: ReplyTarget): string;
}

/** A platform with no write API (Hacker News, feeds): every reply is made on the site. */
export class ReadOnlyReplies implements ReplyChannel {
  constructor(private readonly platform: ReadOnlyPlatform) {}

  measure(text: string): { length: number; limit: number } {
    return { length: Array.from(text).length, limit: Number.POSITIVE_INFINITY };
  }

  ability(target: ReplyTarget): ReplyAbility {
    return { ok: false, reason: this.platform.reason, webUrl: this.platform.webUrl(target) };
  }

  webReplyUrl(target: ReplyTarget): string | null {
    return this.platform.webUrl(target);
  }

  async reply(target: ReplyTarget): Promise<SentReply> {
    throw new ReplyRefused(this.platform.refusal(target));
  }

  async findReply(): Promise<SentReply | null> {
    // Nothing is ever posted through the API, so there is no unknown outcome to resolve.
    return null;
  }
}
