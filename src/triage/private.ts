/**
 * Answering privately: an item that went private (taken private, or a DM joined or opened it) is
 * answered by direct message, through the same outbox as public replies.
 */
import type { Mention } from '../store/mentions.js';
import type { Channel, DirectMessageChannel, ReplyChannel } from '../sources/types.js';

/** The item's answers go by DM: it was taken private, or a customer wrote to us privately in it. */
export function answersPrivately(item: Pick<Mention, 'privateAt' | 'channel'>): boolean {
  return item.privateAt !== null || item.channel === 'dm';
}

const PLATFORM_NAMES: Readonly<Record<string, string>> = { twitter: 'X', bluesky: 'Bluesky', mastodon: 'Mastodon', facebook: 'Facebook', reddit: 'Reddit' };

/** What the composer says: "Reply by DM to @x on X", or "Reply to @x on Mastodon". */
export function channelLabel(via: Channel, handle: string, platform: string): string {
  const where = PLATFORM_NAMES[platform] ?? platform;
  return via === 'dm' ? `Reply by DM to @${handle} on ${where}` : `Reply to @${handle} on ${where}`;
}

/** A DM channel seen through the outbox's reply interface: pending, sent, and the conversation looked at after an unknown outcome. */
export function directMessageReplies(dm: DirectMessageChannel, sendCost?: (text: string) => { cost: number; usual: number; why: string | null } | null): ReplyChannel {
  return {
    measure: (text) => dm.measure(text),
    ability: (target) => dm.ability(target),
    webReplyUrl: () => null,
    reply: (target, text, options) => dm.send(target, text, options),
    findReply: (target, text) => dm.findMessage(target, text),
    ...(sendCost ? { sendCost: (text: string) => sendCost(text) } : {}),
  };
}
