import type { Context } from '../context.js';
import { PartialFailure, RuntimeFailure, TemporaryError, UsageError } from '../../errors.js';
import { sanitizeText } from '../../io/sanitize.js';
import { Channels } from '../../triage/channels.js';
import { sendPost, unknownPostsLike } from '../../triage/outbox.js';
import { formatMoney, toMicros } from '../../metrics/cost.js';
import { addCost } from '../../store/usage.js';

export interface PostOptions {
  platform?: string;
  dryRun?: boolean;
  force?: boolean;
  yes?: boolean;
}

/** `post <text> [--platform p]`: a proactive public update (e.g. an outage notice) on every source that can post. */
export async function run(ctx: Context, text: string, options: PostOptions): Promise<void> {
  if (text.trim() === '') throw new UsageError('the post text is empty');
  const channels = new Channels(() => ctx.sources());
  const all = (await channels.all()).filter((s) => !options.platform || s.platform === options.platform || s.name === options.platform);
  const able = all.filter((s) => s.replies?.post);
  if (able.length === 0) {
    throw new UsageError(options.platform ? `${options.platform} cannot publish posts from brandwatch` : 'no configured source can publish posts from brandwatch');
  }
  for (const source of able) {
    const { length, limit } = source.replies!.measure(text);
    if (length > limit) throw new UsageError(`the post is ${length} characters by ${source.platform}'s count; the limit is ${limit}`);
  }
  if (options.dryRun) {
    for (const source of able) {
      const { length, limit } = source.replies!.measure(text);
      ctx.io.out(`would post on ${source.name} (${length}/${limit}):\n${sanitizeText(text)}`);
    }
    return;
  }
  // A send that costs more than usual (X: a post with a URL) says so and asks; off a terminal it needs --yes.
  for (const source of able) {
    const cost = source.replies!.sendCost?.(text, null);
    if (!cost || cost.cost <= cost.usual || options.yes) continue;
    const what = `${source.name}: this post costs ${formatMoney(cost.cost)} instead of the usual ${formatMoney(cost.usual)} (${cost.why})`;
    if (!ctx.io.stdinIsTTY) throw new UsageError(`${what}; add --yes to post it anyway`);
    if (!(await ctx.prompter.confirm({ message: `${what}. Post it?`, default: false }))) throw new UsageError('nothing was posted');
  }
  const store = await ctx.store();
  const deps = { db: store.db, now: () => ctx.now(), actor: 'post' };
  let failed = 0;
  let unknown = 0;
  const results = [];
  for (const source of able) {
    if (!options.force && await unknownPostsLike(store.db, source.platform, text) > 0) {
      ctx.io.err(`${source.name}: an earlier post with this text has an unknown outcome; check the account, then add --force to post anyway`);
      failed++;
      continue;
    }
    const outcome = await sendPost(deps, source.replies!, source.platform, source.name, text);
    results.push({ source: source.name, ...outcome });
    if (outcome.status === 'sent') {
      const cost = source.replies!.sendCost?.(text, null);
      if (cost) await addCost(store.db, source.name, ctx.now(), toMicros(cost.cost));
      if (!ctx.io.json) ctx.io.out(`${source.name}: posted${outcome.url ? ` ${outcome.url}` : ` (id ${outcome.externalId})`}`);
    } else if (outcome.status === 'unknown') {
      unknown++;
      ctx.io.err(`${source.name}: the outcome is unknown (${outcome.reason}); check the account before posting again`);
    } else {
      failed++;
      ctx.io.err(`${source.name}: ${outcome.reason}; nothing was posted`);
    }
  }
  if (ctx.io.json) ctx.io.outJson(results);
  if (unknown > 0 && failed === 0) throw new TemporaryError('some posts have an unknown outcome');
  if (failed > 0 && failed === able.length) throw new RuntimeFailure('nothing was posted', { reported: true });
  if (failed > 0) throw new PartialFailure('some posts failed', { reported: true });
}
