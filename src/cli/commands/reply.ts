import type { Context } from '../context.js';
import { parseMentionId } from '../mention-id.js';
import { RuntimeFailure, TemporaryError, UsageError } from '../../errors.js';
import { getMention, type Mention } from '../../store/mentions.js';
import type { Store } from '../../store/open.js';
import { discardDraft, draftFor, saveDraft } from '../../store/drafts.js';
import { threadTip } from '../../triage/outbox.js';
import { sentReplyTo } from '../../triage/previous.js';
import { relativeTime } from '../../time/relative.js';
import { sanitizeLine, sanitizeText } from '../../io/sanitize.js';
import { Channels } from '../../triage/channels.js';
import { answerChannel, checkLength, planReply, replyText, send } from '../../triage/respond.js';
import { channelLabel } from '../../triage/private.js';
import { AlreadyReplied, ReplyHeld, ago } from '../../triage/outbox.js';
import { toMicros } from '../../metrics/cost.js';
import { addCost } from '../../store/usage.js';

export interface ReplyOptions {
  text?: string;
  template?: string;
  dryRun?: boolean;
  open?: boolean;
  again?: boolean;
  force?: boolean;
  /** Write the reply in $VISUAL/$EDITOR. */
  editor?: boolean;
}

/**
 * No --text on a terminal: the composer (a template, or the kept draft, fills it first), with $EDITOR on
 * Ctrl-E or --editor. The text is the mention's draft until it is sent. Null when the person cancels.
 */
async function composeReply(ctx: Context, store: Store, item: Mention, channels: Channels, options: ReplyOptions): Promise<string | null> {
  const { config } = await ctx.config();
  const target = await threadTip(store.db, item);
  const previous = await sentReplyTo(store.db, target);
  if (previous) {
    ctx.io.err(`you replied${previous.sentAt === null ? '' : ` ${relativeTime(previous.sentAt, ctx.now())}`}: ${sanitizeLine(previous.text)}`);
    if (!(await ctx.prompter.confirm({ message: 'Reply again?', default: false }))) return null;
  }
  const draft = await draftFor(store.db, item.id);
  let text = options.template !== undefined ? replyText(config, item, { template: options.template }) : (draft?.text ?? '');
  if (draft && options.template === undefined) ctx.io.err(`your draft from ${relativeTime(draft.updatedAt, ctx.now())} is in the composer`);
  const via = await answerChannel(store, item);
  const { channel } = await channels.forAnswer(target.source, via);
  let action: 'done' | 'cancel' | 'editor' = options.editor ? 'editor' : 'done';
  for (;;) {
    if (action === 'editor') text = await ctx.editText(text);
    else {
      const result = await ctx.prompter.compose({ message: `${channelLabel(via, sanitizeLine(target.authorHandle), target.platform)}:`, initial: text, measure: (t) => channel.measure(t) });
      text = result.text;
      action = result.action;
      if (action === 'editor') continue;
    }
    await saveDraft(store.db, item.id, text, ctx.now());
    if (text.trim() === '') return null;
    if (action === 'cancel') {
      ctx.io.err(`draft kept; \`${ctx.invocation('reply', String(item.id))}\` picks it up again`);
      return null;
    }
    const { length, limit } = channel.measure(text);
    if (length <= limit) return text;
    ctx.io.err(`too long: ${length}/${limit} by ${target.platform}'s count — shorten it by ${length - limit}`);
    action = 'done';
    if (options.editor) action = 'editor';
  }
}


/** `reply <id> (--text t | --template name) [--dry-run] [--open]` */
export async function run(ctx: Context, idText: string, options: ReplyOptions): Promise<void> {
  const id = parseMentionId(idText);
  const store = await ctx.store();
  const item = await getMention(store.db, id);
  if (!item) throw new UsageError(`no mention has id ${id} (see \`${ctx.invocation('list', '--status', 'all')}\`)`);
  const channels = new Channels(() => ctx.sources());
  const interactive = options.text === undefined && ctx.io.stdinIsTTY && ctx.io.stdoutIsTTY && !ctx.io.json && !options.dryRun;
  if (options.editor && !interactive) throw new UsageError('--editor needs a terminal (and no --text); in scripts use --text "…" or --template <name>');
  let text: string;
  // On a terminal the composer already showed any earlier reply and asked before a second one.
  const again = interactive;
  if (interactive) {
    const composed = await composeReply(ctx, store, item, channels, options);
    if (composed === null) return;
    text = composed;
  } else text = replyText((await ctx.config()).config, item, options);
  const plan = await planReply(store, channels, item, text);
  const { io } = ctx;

  if (options.dryRun) {
    checkLength(plan);
    const summary = {
      mention: plan.target.id,
      platform: plan.target.platform,
      inReplyTo: plan.target.externalId,
      text: plan.text,
      length: plan.length,
      limit: plan.limit,
      api: plan.blocked === null,
      reason: plan.blocked,
      webUrl: plan.webUrl,
      channel: plan.channel,
    };
    if (io.json) return io.outJson(summary);
    io.out(
      plan.channel === 'dm'
        ? `would send a DM on ${plan.target.platform} for #${plan.target.id} to @${sanitizeLine(plan.target.authorHandle)}:`
        : `would reply on ${plan.target.platform} to #${plan.target.id} (@${sanitizeLine(plan.target.authorHandle)}, post ${plan.target.externalId}):`,
    );
    io.out(sanitizeText(plan.text));
    io.out(`length ${plan.length}/${plan.limit}`);
    io.out(plan.blocked === null ? 'through the API' : `not through the API: ${plan.blocked}\nreply on the web: ${plan.webUrl ?? '(no link)'}`);
    return;
  }

  let outcome;
  try {
    outcome = await send({ now: () => ctx.now(), actor: ctx.person() }, store, channels, plan, { again: options.again || again, force: options.force });
  } catch (error) {
    if (interactive) await saveDraft(store.db, item.id, text, ctx.now());
    if (error instanceof AlreadyReplied) throw new RuntimeFailure(`${error.message} — add --again to send another reply`);
    if (error instanceof ReplyHeld) {
      const wait = error.reason === 'index-lag' ? `run the same command again in ${ago(error.retryAt - ctx.now())}` : 'let it finish';
      throw new TemporaryError(`${error.message} — ${wait}, or add --force to post anyway (it may double the reply)`);
    }
    throw error;
  }
  if (outcome.status === 'sent' || outcome.status === 'already-sent') await discardDraft(store.db, item.id);
  else if (interactive) await saveDraft(store.db, item.id, text, ctx.now());
  if (io.json) io.outJson({ mention: plan.target.id, ...outcome });
  switch (outcome.status) {
    case 'sent': {
      // X bills each write: the month's spend includes our replies.
      const { source, channel } = await channels.forAnswer(plan.target.source, plan.channel);
      const cost = channel.sendCost?.(plan.text, plan.target);
      if (cost) await addCost(store.db, source.name, ctx.now(), toMicros(cost.cost));
      if (!io.json) io.out(`${plan.channel === 'dm' ? 'sent a DM for' : 'replied to'} #${plan.target.id} on ${plan.target.platform}${outcome.url ? `: ${outcome.url}` : ` (id ${outcome.externalId})`}`);
      return;
    }
    case 'already-sent':
      io.info(`an earlier attempt had been posted after all (${outcome.externalId}); recorded it, nothing new was sent`);
      return;
    case 'not-possible': {
      io.err(`cannot reply to #${plan.target.id} through the API: ${outcome.reason}`);
      if (outcome.webUrl) {
        io.err(`reply on the web (the text is filled in): ${outcome.webUrl}`);
        if (options.open) {
          ctx.openBrowser(outcome.webUrl);
          io.err('opened in the browser; the next poll records the reply made there');
          return;
        }
        io.err('add --open to launch the browser; the next poll records the reply made there');
      }
      throw new RuntimeFailure('no API reply is possible', { reported: true });
    }
    case 'refused':
      if (outcome.retryable) throw new TemporaryError(`${outcome.reason}; nothing was posted`);
      throw new Error(`${outcome.reason}; nothing was posted`);
    case 'unknown':
      throw new TemporaryError(
        `the reply's outcome is unknown (${outcome.reason}); run the same command again — brandwatch looks for the reply on the platform before posting again`,
      );
  }
}
