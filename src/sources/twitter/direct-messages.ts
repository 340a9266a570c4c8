/**
 * X direct messages (user context, OAuth 2 scopes dm.read dm.write tweet.read users.read):
 * `GET /2/dm_events` read newest first into the queue, and `POST /2/dm_conversations/with/:participant_id/messages`
 * to answer. Shapes from docs.x.com x-api/direct-messages (lookup and manage); fixtures in test/fixtures/twitter/.
 */
import { TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import { z } from 'zod';
import { ReplyRefused } from '../reply-refused.js';
import { directMessage, type DirectMessageChannel, type NewMention, type OwnReply, type ReplyAbility, type ReplyTarget, type SentReply } from '../types.js';
import type { PriceTable, BilledRead } from '../../metrics/cost.js';
import { decodeXText } from './payload.js';
import { refusalOf } from './replies.js';

const id = z.string().regex(/^\d{1,19}$/);

/** X's DM text limit (characters). */
export const X_DM_LIMIT = 10_000;

/** What every DM read asks for: the event's conversation, sender, time, text and participants. */
export const DM_EVENT_FIELDS = 'dm_conversation_id,sender_id,created_at,text,participant_ids,referenced_tweets';

const dmEvent = z.object({
  id,
  event_type: z.string(),
  text: z.string().optional(),
  sender_id: id.optional(),
  dm_conversation_id: z.string().optional(),
  created_at: z.string().datetime({ offset: true }).optional(),
  participant_ids: z.array(id).optional(),
  referenced_tweets: z.array(z.object({ id })).optional(),
});

/** GET /2/dm_events and the per-conversation timelines, as far as we rely on them. */
export const dmEventsResponse = z.object({
  data: z.array(dmEvent).optional(),
  includes: z.object({ users: z.array(z.object({ id, username: z.string(), name: z.string().optional() }).passthrough()).optional() }).passthrough().optional(),
  meta: z.object({ result_count: z.number().int().nonnegative(), next_token: z.string().min(1).optional() }).passthrough(),
});
export type DmEventsResponse = z.infer<typeof dmEventsResponse>;

/** POST …/messages: the OpenAPI's `{ data: { … } }`; the older reference shows the fields bare — both are taken. */
export const createdDmResponse = z.union([
  z.object({ data: z.object({ dm_conversation_id: z.string(), dm_event_id: id }) }).transform((b) => b.data),
  z.object({ dm_conversation_id: z.string(), dm_event_id: id }),
]);

/** X's web link to a DM conversation (only its participants can open it). */
export function dmConversationUrl(conversationId: string | null | undefined): string | null {
  return conversationId ? `https://x.com/messages/${encodeURIComponent(conversationId)}` : null;
}

/**
 * The customers' messages of a page as mentions (oldest first, so a thread's first DM is stored first);
 * our own messages and joins/leaves are left out. Text decoded as X's post text is.
 */
export function mapDmEvents(page: DmEventsResponse, brandId: string): NewMention[] {
  const users = new Map((page.includes?.users ?? []).map((u) => [u.id, u]));
  const mentions: NewMention[] = [];
  for (const e of page.data ?? []) {
    if (e.event_type !== 'MessageCreate' || !e.sender_id || e.sender_id === brandId || e.text === undefined || !e.created_at) continue;
    const sender = users.get(e.sender_id);
    mentions.push(
      directMessage({
        platform: 'twitter',
        externalId: e.id,
        url: dmConversationUrl(e.dm_conversation_id),
        authorHandle: sender?.username ?? e.sender_id,
        authorName: sender?.name ?? null,
        authorId: e.sender_id,
        authorFollowers: null,
        text: decodeXText(e.text),
        createdAt: Date.parse(e.created_at),
        dmConversationId: e.dm_conversation_id ?? null,
      }),
    );
  }
  return mentions.reverse();
}

/**
 * The brand's own messages on a page (sent from the app or the web) as native answers: each answers the
 * customer's newest earlier message of the same conversation on the page (an answer whose question is on an
 * older page is left out).
 */
export function mapOwnDms(page: DmEventsResponse, brandId: string): OwnReply[] {
  const events = (page.data ?? []).filter((e) => e.event_type === 'MessageCreate' && e.created_at && e.text !== undefined);
  const replies: OwnReply[] = [];
  events.forEach((e, i) => {
    if (e.sender_id !== brandId) return;
    const question = events.slice(i + 1).find((q) => q.sender_id !== brandId && q.dm_conversation_id === e.dm_conversation_id);
    if (question) replies.push({ platform: 'twitter', externalId: e.id, inReplyTo: question.id, text: decodeXText(e.text!), createdAt: Date.parse(e.created_at!), channel: 'dm' });
  });
  return replies;
}

/** What X bills for a DM page: each DM event and each user object returned. */
export function billedDms(page: DmEventsResponse): BilledRead[] {
  return [...(page.data ?? []).map((e) => ({ kind: 'dm' as const, id: e.id })), ...(page.includes?.users ?? []).map((u) => ({ kind: 'user' as const, id: u.id }))];
}

/** Text as X shows it back, for finding our own message again. */
function comparable(text: string): string {
  return decodeXText(text).replace(/\s+/g, ' ').trim().toLowerCase();
}

export interface TwitterDirectMessagesOptions {
  userToken: string | null;
  userTokenEnv: string | null;
  plugins: ITwitterApiClientPlugin[];
  now: () => number;
  prices: PriceTable;
}

/** Answers by DM on X, to the item's customer by their user id. */
export class TwitterDirectMessages implements DirectMessageChannel {
  private client: TwitterApi | null = null;
  private ownId: string | null = null;

  constructor(private readonly options: TwitterDirectMessagesOptions) {}

  measure(text: string) {
    return { length: [...text].length, limit: X_DM_LIMIT };
  }

  ability(target: ReplyTarget): ReplyAbility {
    if (!this.options.userToken) {
      const variable = this.options.userTokenEnv ? `the environment variable ${this.options.userTokenEnv} is not set` : 'the twitter source has no userTokenEnv';
      return { ok: false, reason: `cannot send DMs on X: ${variable} (an OAuth 2 user token with dm.read and dm.write)`, webUrl: dmConversationUrl(target.dmConversationId) };
    }
    if (!target.authorId) return { ok: false, reason: `X's user id of @${target.authorHandle} is not known, so no DM can be addressed`, webUrl: null };
    return { ok: true };
  }

  /** DM Interaction: Create, per request (docs.x.com x-api/getting-started/pricing). */
  sendCost(): { cost: number; usual: number; why: string | null } {
    return { cost: this.options.prices.dmCreate, usual: this.options.prices.dmCreate, why: null };
  }

  private user(): TwitterApi {
    const ability = this.ability({ platform: 'twitter', externalId: '', url: null, authorHandle: '', conversationId: null, inReplyTo: null, summonsBrand: false, authorId: 'x' });
    if (!ability.ok) throw new ReplyRefused(ability.reason);
    this.client ??= new TwitterApi(this.options.userToken!, { plugins: this.options.plugins });
    return this.client;
  }

  async send(target: ReplyTarget, text: string): Promise<SentReply> {
    const ability = this.ability(target);
    if (!ability.ok) throw new ReplyRefused(ability.reason);
    const { length, limit } = this.measure(text);
    if (length > limit) throw new ReplyRefused(`the message is ${length} characters; X allows ${limit} in a DM`);
    let body: unknown;
    try {
      body = await this.user().v2.post(`dm_conversations/with/${encodeURIComponent(target.authorId!)}/messages`, { text });
    } catch (error) {
      throw refusalOf(error);
    }
    const parsed = createdDmResponse.safeParse(body);
    // X answered 2xx: the message exists even if the body is odd — leave the outcome unknown rather than send again.
    if (!parsed.success) throw new Error('X accepted the DM but its answer had no event id');
    return { externalId: parsed.data.dm_event_id, sentAt: this.options.now(), url: dmConversationUrl(parsed.data.dm_conversation_id) };
  }

  /** Our message in the one-to-one conversation with the customer (`GET /2/dm_conversations/with/:id/dm_events`), matched on text. */
  async findMessage(target: ReplyTarget, text: string): Promise<SentReply | null> {
    if (!target.authorId) return null;
    try {
      const client = this.user();
      if (!this.ownId) this.ownId = z.object({ data: z.object({ id }) }).parse(await client.v2.get('users/me')).data.id;
      const page = dmEventsResponse.parse(
        await client.v2.get(`dm_conversations/with/${encodeURIComponent(target.authorId)}/dm_events`, {
          'dm_event.fields': DM_EVENT_FIELDS,
          event_types: 'MessageCreate',
          max_results: 100,
        }),
      );
      const wanted = comparable(text);
      const found = (page.data ?? []).find((e) => e.sender_id === this.ownId && e.text !== undefined && comparable(e.text) === wanted);
      if (!found) return null;
      return { externalId: found.id, sentAt: found.created_at ? Date.parse(found.created_at) : this.options.now(), url: dmConversationUrl(found.dm_conversation_id) };
    } catch (error) {
      throw refusalOf(error);
    }
  }
}
