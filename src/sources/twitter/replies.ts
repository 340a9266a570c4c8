import { ApiPartialResponseError, ApiRequestError, ApiResponseError, TwitterApi } from 'twitter-api-v2';
import { z } from 'zod';
import { ReplyRefused } from '../reply-refused.js';
import type { DirectMessageChannel, ReplyAbility, ReplyChannel, ReplyTarget, SentReply } from '../types.js';
import { twitterLength, TWITTER_LIMIT } from './length.js';
import { baseUrlPlugin, requestCause } from './client.js';
import { sendCost, type PriceTable } from '../../metrics/cost.js';

export interface TwitterRepliesOptions {
  /** OAuth 2 user access token (tweet.read tweet.write users.read), or null when none is configured. */
  userToken: string | null;
  /** Name of the variable that should hold it, for messages. */
  userTokenEnv: string | null;
  /** App-only client used to search for our own replies. */
  readClient: TwitterApi;
  ownHandles: readonly string[];
  apiBaseUrl: string | null;
  timeout: number;
  /** The clock, for a reply's time when X does not say it. */
  now: () => number;
  /** What X bills for writes: a post with a URL costs far more than a summoned reply. */
  prices?: PriceTable;
  /** Answers by DM, when the source reads DMs (`directMessages: true`). */
  directMessages?: DirectMessageChannel;
}

const created = z.object({ data: z.object({ id: z.string().regex(/^\d{1,19}$/), text: z.string() }) });
const me = z.object({ data: z.object({ id: z.string(), username: z.string() }) });
const search = z.object({
  data: z
    .array(
      z.object({
        id: z.string(),
        text: z.string(),
        created_at: z.string().optional(),
        referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
      }),
    )
    .optional(),
});

/** X's web composer, opened as a reply to the post with the text filled in. */
export function twitterWebReplyUrl(externalId: string, text: string): string {
  return `https://x.com/intent/post?in_reply_to=${encodeURIComponent(externalId)}&text=${encodeURIComponent(text)}`;
}

/** Text as X shows it back: entities escaped, links rewritten to t.co — compare without either. */
function comparable(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/https?:\/\/\S+/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * Replies and posts on X through the user's token. Since February 2026 self-serve apps may reply
 * only to posts that mention or quote the brand's account; other mentions get the web reply link.
 */
export class TwitterReplies implements ReplyChannel {
  private userClient: TwitterApi | null = null;
  private ownUsername: string | null;
  private ownId: string | null = null;

  readonly directMessages?: DirectMessageChannel;

  constructor(private readonly options: TwitterRepliesOptions) {
    this.ownUsername = options.ownHandles[0] ?? null;
    if (options.directMessages) this.directMessages = options.directMessages;
  }

  measure(text: string) {
    return { length: twitterLength(text), limit: TWITTER_LIMIT };
  }

  ability(target: ReplyTarget): ReplyAbility {
    if (!target.summonsBrand) {
      const handle = this.ownUsername ? `@${this.ownUsername}` : "the brand's account";
      return {
        ok: false,
        reason: `X lets apps reply only to posts that mention ${handle} or quote it, and this one does not; reply on the web instead`,
        webUrl: twitterWebReplyUrl(target.externalId, ''),
      };
    }
    if (!this.options.userToken) return { ok: false, reason: this.missingToken(), webUrl: twitterWebReplyUrl(target.externalId, '') };
    return { ok: true };
  }

  private missingToken(): string {
    const variable = this.options.userTokenEnv ? `the environment variable ${this.options.userTokenEnv} is not set` : 'the twitter source has no userTokenEnv';
    return `cannot write to X through the API: ${variable} (an OAuth 2 user token with tweet.write)`;
  }

  /** What sending costs: API replies are summoned replies (X allows no other); a post with a URL costs the URL price. */
  sendCost(text: string, target: ReplyTarget | null) {
    if (!this.options.prices) return null;
    return sendCost(this.options.prices, { summonedReply: target !== null && target.summonsBrand, text });
  }

  webReplyUrl(target: ReplyTarget, text: string): string {
    return twitterWebReplyUrl(target.externalId, text);
  }

  private client(): TwitterApi {
    if (!this.options.userToken) throw new ReplyRefused(this.missingToken());
    this.userClient ??= new TwitterApi(this.options.userToken, { plugins: [baseUrlPlugin(this.options.apiBaseUrl, this.options.timeout)] });
    return this.userClient;
  }

  async reply(target: ReplyTarget, text: string): Promise<SentReply> {
    this.checkLength(text);
    const ability = this.ability(target);
    if (!ability.ok) throw new ReplyRefused(ability.reason);
    return this.create(() => this.client().v2.reply(text, target.externalId));
  }

  async post(text: string): Promise<SentReply> {
    this.checkLength(text);
    return this.create(() => this.client().v2.tweet(text));
  }

  private checkLength(text: string): void {
    const { length, limit } = this.measure(text);
    if (length > limit) throw new ReplyRefused(`the text is ${length} characters by X's count; X allows ${limit}`);
  }

  private async create(call: () => Promise<unknown>): Promise<SentReply> {
    let body: unknown;
    try {
      body = await call();
    } catch (error) {
      throw refusalOf(error);
    }
    const parsed = created.safeParse(body);
    // X answered 2xx, so the post exists even if the body is odd: leave the outcome unknown, never retry blindly.
    if (!parsed.success) throw new Error('X accepted the post but its answer had no post id');
    return { externalId: parsed.data.data.id, sentAt: this.options.now(), url: this.postUrl(parsed.data.data.id) };
  }

  private postUrl(id: string): string {
    return `https://x.com/${this.ownUsername ?? 'i/web'}/status/${id}`;
  }

  /**
   * Our reply to the target, looked up on the brand's own timeline (GET /2/users/:id/tweets, an owned read):
   * a new post shows there at once, where recent search indexes it with a delay and would let a retry post
   * twice. Matched on replied_to and text.
   */
  async findReply(target: ReplyTarget, text: string): Promise<SentReply | null> {
    try {
      const client = this.client();
      if (!this.ownId) {
        const body = me.parse(await client.v2.me());
        this.ownId = body.data.id;
        this.ownUsername ??= body.data.username;
      }
      const page = search.parse(
        await client.v2.get(`users/${this.ownId}/tweets`, {
          'tweet.fields': 'created_at,referenced_tweets,conversation_id',
          max_results: 100,
          exclude: 'retweets',
        }),
      );
      const wanted = comparable(text);
      const found = (page.data ?? []).find(
        (t) => t.referenced_tweets?.some((r) => r.type === 'replied_to' && r.id === target.externalId) && comparable(t.text) === wanted,
      );
      if (!found) return null;
      return { externalId: found.id, sentAt: found.created_at ? Date.parse(found.created_at) : this.options.now(), url: this.postUrl(found.id) };
    } catch (error) {
      throw refusalOf(error);
    }
  }
}

/** A definite answer from X becomes a ReplyRefused; timeouts, resets and 5xx stay unknown outcomes. */
export function refusalOf(error: unknown): unknown {
  if (error instanceof ReplyRefused) return error;
  if (error instanceof ApiResponseError) {
    if (error.code >= 500) return new Error(`X answered ${error.code}; the outcome is unknown`);
    const body = (error.data ?? {}) as { detail?: unknown; title?: unknown; errors?: { message?: unknown }[] };
    const detail = [body.detail, body.errors?.[0]?.message, body.title].find((p): p is string => typeof p === 'string') ?? '';
    if (error.code === 429) return new ReplyRefused('X rate limit for posting reached; try again later', true);
    if (error.code === 401) return new ReplyRefused(`X refused the user token (401${detail ? `: ${detail}` : ''}); check the userTokenEnv variable`);
    return new ReplyRefused(`X refused the post (${error.code}${detail ? `: ${detail.slice(0, 300)}` : ''})`);
  }
  if (error instanceof ApiPartialResponseError || error instanceof ApiRequestError) {
    const cause = error instanceof ApiRequestError ? requestCause(error) : 'incomplete answer';
    return new Error(`no answer from X (${cause}); the outcome is unknown`);
  }
  return error;
}
