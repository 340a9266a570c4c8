import type { Context } from '../cli/context.js';
import { ConfigError, UsageError } from '../errors.js';
import type { ReplyChannel, Source } from '../sources/types.js';

/** The configured sources, built once per command, and the reply channel of the one a mention came from. */
export class Channels {
  private sources: Promise<Source[]> | null = null;

  constructor(private readonly ctx: Context) {}

  all(): Promise<Source[]> {
    this.sources ??= (async () => {
      const { config, path } = await this.ctx.config();
      const { buildSources } = await import('../sources/index.js');
      return buildSources(config, { env: this.ctx.env, configPath: path, now: () => this.ctx.now() });
    })();
    return this.sources;
  }

  async forSource(name: string): Promise<{ source: Source; channel: ReplyChannel }> {
    const source = (await this.all()).find((s) => s.name === name);
    if (!source) throw new ConfigError(`the mention came from the source "${name}", which is no longer configured; add it back to reply`);
    if (!source.replies) throw new UsageError(`${name} cannot reply from brandwatch; answer on the platform itself`);
    return { source, channel: source.replies };
  }
}
