import type { Config } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { Store } from '../store/open.js';
import type { Mention } from '../store/mentions.js';
import type { Channels } from './channels.js';
import { privateTargetOf, replyTargetOf, sendReply, threadTip, type ReplyGuards, type ReplyOutcome } from './outbox.js';
import { answersPrivately, channelLabel } from './private.js';
import { getMention } from '../store/mentions.js';
import type { Channel } from '../sources/types.js';
import { fillTemplate, templateNamed } from './templates.js';

export interface ReplyPlan {
  /** The mention the reply answers (the customer's newest post in the item's thread). */
  target: Mention;
  text: string;
  length: number;
  limit: number;
  /** Null when the API may answer; else why not. */
  blocked: string | null;
  webUrl: string | null;
  /** By DM (the item is private) or in public. */
  channel: Channel;
  /** What the composer says: "Reply by DM to @x on X". */
  label: string;
}

/** The text of a reply from `--text` or a named template. */
export function replyText(config: Pick<Config, 'templates' | 'brand'>, target: Mention, options: { text?: string; template?: string }): string {
  if ((options.text === undefined) === (options.template === undefined)) throw new UsageError('give the reply as --text "…" or --template <name> (one of them)');
  if (options.text !== undefined) {
    if (options.text.trim() === '') throw new UsageError('--text is empty');
    return options.text;
  }
  return fillTemplate(options.template!, templateNamed(config.templates, options.template!), {
    author: target.authorHandle,
    brand: config.brand,
    url: target.url,
  });
}

/** Everything `--dry-run` shows, checked before anything is sent. */
export async function planReply(store: Store, channels: Channels, item: Mention, text: string, forced?: Channel): Promise<ReplyPlan> {
  const target = await threadTip(store.db, item);
  // `forced`: take private's optional public "please DM us" goes in public whatever the item.
  const via = forced ?? (await answerChannel(store, item));
  const { channel } = await channels.forAnswer(target.source, via);
  const { length, limit } = channel.measure(text);
  const replyTarget = via === 'dm' ? await privateTargetOf(store.db, target) : replyTargetOf(target);
  const ability = channel.ability(replyTarget);
  return {
    target,
    text,
    length,
    limit,
    blocked: ability.ok ? null : ability.reason,
    webUrl: channel.webReplyUrl(replyTarget, text) ?? (ability.ok ? null : ability.webUrl),
    channel: via,
    label: channelLabel(via, target.authorHandle, target.platform),
  };
}

/** How an answer to the item goes: by DM when its item (the thread's first mention) went private. */
export async function answerChannel(store: Store, item: Mention): Promise<Channel> {
  const root = item.threadId === null ? item : ((await getMention(store.db, item.threadId)) ?? item);
  return answersPrivately(root) ? 'dm' : 'public';
}

export function checkLength(plan: ReplyPlan): void {
  if (plan.length > plan.limit) {
    throw new UsageError(`the reply is ${plan.length} characters by ${plan.target.platform}'s count; the limit is ${plan.limit} — shorten it by ${plan.length - plan.limit}`);
  }
}

/** Who is sending and when: the command's clock and the acting person. */
export interface Sender {
  now(): number;
  actor: string;
}

/** Throws AlreadyReplied (unless `guards.again`) or ReplyHeld (unless `guards.force`) when sending could double a reply. */
export async function send(sender: Sender, store: Store, channels: Channels, plan: ReplyPlan, guards: ReplyGuards = {}): Promise<ReplyOutcome> {
  checkLength(plan);
  const { channel } = await channels.forAnswer(plan.target.source, plan.channel);
  return sendReply({ db: store.db, now: () => sender.now(), actor: sender.actor }, channel, plan.target, plan.text, guards, plan.channel);
}
