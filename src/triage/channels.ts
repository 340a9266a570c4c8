import { ConfigError, UsageError } from '../errors.js';
import type { ReplyChannel, Source } from '../sources/types.js';

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
}
