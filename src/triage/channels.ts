import { ConfigError, UsageError } from '../errors.js';
import type { Channel, ReplyChannel, Source } from '../sources/types.js';
import { directMessageReplies } from './private.js';

/** The reply channel of the source a mention came from, among the configured sources. */
export class Channels {
  constructor(private readonly sources: () => Promise<Source[]>) {}

  all(): Promise<Source[]> {
    return this.sources();
  }

  async forSource(name: string): Promise<{ source: Source; channel: ReplyChannel }> {
    const source = (await this.all()).find((s) => s.name === name);
    if (!source) throw new ConfigError(`the mention came from the source "${name}", which is no longer configured; add it back to reply`);
    if (!source.replies) throw new UsageError(`${name} cannot reply from brandwatch; answer on the platform itself`);
    return { source, channel: source.replies };
  }

  /** The channel an answer goes by: the source's replies, or its direct messages (said plainly when it has none). */
  async forAnswer(name: string, via: Channel): Promise<{ source: Source; channel: ReplyChannel }> {
    const found = await this.forSource(name);
    if (via === 'public') return found;
    const dm = found.channel.directMessages;
    if (!dm) {
      throw new UsageError(
        `this item is private and ${name} cannot send direct messages from brandwatch (${found.source.platform === 'twitter' || found.source.platform === 'bluesky' || found.source.platform === 'mastodon' ? 'set directMessages: true on the source and give it credentials that allow DMs — see doctor' : 'the platform does not allow it'}); answer on the platform itself`,
      );
    }
    return { source: found.source, channel: directMessageReplies(dm, dm.sendCost ? (text) => dm.sendCost!(text) : undefined) };
  }
}
