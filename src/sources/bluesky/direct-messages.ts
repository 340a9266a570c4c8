/**
 * Bluesky direct messages: the `chat.bsky.convo.*` methods, sent to the account's PDS with the
 * `atproto-proxy: did:web:api.bsky.chat#bsky_chat` header (the agent's `withProxy`), which passes them to the
 * chat service. The app password must have been created with access to direct messages. Shapes from the
 * lexicons (bluesky-social/atproto `lexicons/chat/bsky/convo/`); fixtures in test/fixtures/bluesky/.
 */
import { z } from 'zod';
import { directMessage, type NewMention, type OwnReply } from '../types.js';

/** The chat service the PDS proxies `chat.bsky.*` to. */
export const CHAT_SERVICE = { type: 'bsky_chat', did: 'did:web:api.bsky.chat' } as const;

/** `chat.bsky.convo.sendMessage`'s `messageInput.text` limit (graphemes). */
export const BLUESKY_DM_LIMIT = 1000;

const member = z.object({ did: z.string(), handle: z.string(), displayName: z.string().optional() }).passthrough();

/** `chat.bsky.convo.defs#messageView`, as far as we rely on it (deleted and system messages carry no text). */
export const messageView = z.object({ id: z.string(), rev: z.string(), text: z.string(), sender: z.object({ did: z.string() }), sentAt: z.string().datetime({ offset: true }) }).passthrough();

const anyMessage = z.object({ $type: z.string().optional(), id: z.string().optional(), sentAt: z.string().optional() }).passthrough();

/** `chat.bsky.convo.listConvos` output. */
export const listConvosOutput = z.object({
  cursor: z.string().optional(),
  convos: z.array(z.object({ id: z.string(), rev: z.string(), members: z.array(member), lastMessage: anyMessage.optional(), unreadCount: z.number().int().nonnegative().optional() }).passthrough()),
});
export type ConvoList = z.infer<typeof listConvosOutput>;

/** `chat.bsky.convo.getMessages` output: newest first. */
export const getMessagesOutput = z.object({ cursor: z.string().optional(), messages: z.array(anyMessage) });

/** `chat.bsky.convo.getConvoForMembers` output. */
export const convoForMembersOutput = z.object({ convo: z.object({ id: z.string() }).passthrough() });

/** The messages of a getMessages page that carry text (a `messageView`), newest first as served. */
export function textMessages(page: z.infer<typeof getMessagesOutput>): z.infer<typeof messageView>[] {
  return page.messages.flatMap((m) => {
    if (m.$type !== undefined && m.$type !== 'chat.bsky.convo.defs#messageView') return [];
    const parsed = messageView.safeParse(m);
    return parsed.success ? [parsed.data] : [];
  });
}

/** bsky.app's link to a conversation (only its members can open it). */
export function convoUrl(convoId: string): string {
  return `https://bsky.app/messages/${encodeURIComponent(convoId)}`;
}

/** A conversation's messages from others, sent after `since`, as DMs of the queue (oldest first). */
export function mapMessages(convo: ConvoList['convos'][number], messages: z.infer<typeof messageView>[], ownDid: string, since: string): NewMention[] {
  const members = new Map(convo.members.map((m) => [m.did, m]));
  return messages
    .filter((m) => m.sender.did !== ownDid && m.sentAt > since)
    .map((m): NewMention => {
      const sender = members.get(m.sender.did);
      return directMessage({
        platform: 'bluesky',
        externalId: m.id,
        url: convoUrl(convo.id),
        authorHandle: sender?.handle ?? m.sender.did,
        authorName: sender?.displayName ?? null,
        authorId: m.sender.did,
        authorFollowers: null,
        text: m.text,
        createdAt: Date.parse(m.sentAt),
        dmConversationId: convo.id,
      });
    })
    .reverse();
}

/** The brand's own messages sent after `since` (from the app) as native answers to the customer's newest earlier message on the page. */
export function mapOwnMessages(messages: z.infer<typeof messageView>[], ownDid: string, since: string): OwnReply[] {
  const replies: OwnReply[] = [];
  messages.forEach((m, i) => {
    if (m.sender.did !== ownDid || m.sentAt <= since) return;
    const question = messages.slice(i + 1).find((q) => q.sender.did !== ownDid);
    if (question) replies.push({ platform: 'bluesky', externalId: m.id, inReplyTo: question.id, text: m.text, createdAt: Date.parse(m.sentAt), channel: 'dm' });
  });
  return replies;
}
