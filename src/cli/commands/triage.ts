import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { CATEGORIES, getMention, type Category, type Mention, type Status } from '../../store/mentions.js';
import { isOpenItem } from '../../metrics/open.js';
import type { Store } from '../../store/open.js';
import { restoreCategory } from '../../store/changes.js';
import type { Config } from '../../config/schema.js';
import { sanitizeLine, sanitizeText } from '../../io/sanitize.js';
import { formatDuration } from '../../config/duration.js';
import { formatInstant } from '../../time/zone.js';
import { slaTarget } from '../../metrics/sla.js';
import { priorityLevel } from '../../triage/levels.js';
import { priorityOf, recomputePriorities, waitingSince } from '../../triage/assess.js';
import { shortReason } from '../../triage/priority.js';
import { addNote, setCategory, setStatus } from '../../triage/actions.js';
import { Channels } from '../../triage/channels.js';
import { nextItem, openCount, threadOf } from '../../triage/queue.js';
import { answerChannel, planReply, send } from '../../triage/respond.js';
import { answersPrivately, channelLabel } from '../../triage/private.js';
import type { Channel } from '../../sources/types.js';
import { fillTemplate } from '../../triage/templates.js';
import { compactNumber } from './list.js';
import { parseSearch, type SearchFlags } from '../filters.js';
import type { MentionSearch } from '../../store/mentions.js';
import { discardDraft, draftFor, saveDraft } from '../../store/drafts.js';
import { sentReplyTo } from '../../triage/previous.js';
import { relativeTime } from '../../time/relative.js';
import { displayWidth, truncateWidth, wrapWidth } from '../../io/width.js';
import { claimHolder, claimItem, releaseClaim, touchClaim } from '../../store/team.js';

export type TriageOptions = SearchFlags;

type Undo =
  | { kind: 'status'; id: number; from: Status }
  | { kind: 'category'; id: number; from: Category | null; manual: boolean }
  | { kind: 'note'; id: number }
  | { kind: 'skip'; id: number }
  | { kind: 'reply'; id: number };

const ACTIONS = [
  { key: 'r', label: 'reply' },
  { key: 't', label: 'template' },
  { key: 'p', label: 'take private' },
  { key: 'd', label: 'resolve' },
  { key: 'i', label: 'ignore' },
  { key: 's', label: 'spam' },
  { key: 'c', label: 'category' },
  { key: 'n', label: 'note' },
  { key: 'o', label: 'open' },
  { key: 'k', label: 'skip' },
  { key: 'u', label: 'undo' },
  { key: 'q', label: 'quit' },
  { key: '?', label: 'help' },
] as const;

/** What each key does, for `?`. */
const HELP: Record<(typeof ACTIONS)[number]['key'], string> = {
  r: 'reply: write it in the composer (Enter done, Alt-Enter new line, Ctrl-E $EDITOR, Esc keeps a draft)',
  t: 'template: pick one from the config; it fills the composer to edit before sending',
  p: 'take private: mark the item private (its answers go by DM from then on), after an optional public "please DM us" (the take-private template)',
  d: 'resolve: handled, no reply needed',
  i: 'ignore: not for us (counts as needing no reply)',
  s: 'spam',
  c: 'category: set it by hand (kept from then on; learn adapts the classifier to it)',
  n: 'note: add a note to the history',
  o: "open: the post in the browser",
  k: 'skip: leave it for now (it stays in the queue for the next session)',
  u: 'undo the last action of this session (a sent reply cannot be undone)',
  q: 'quit: everything done so far is saved',
  '?': 'this help',
};

/** The footer under each item: the common keys, within 80 columns; `?` lists the rest. */
export const FOOTER = 'r reply  t template  p private  d resolve  i ignore  s spam  q quit  ? more';

/** The interactive queue: one item at a time, most urgent first, one key per action. */
export async function run(ctx: Context, options: TriageOptions): Promise<void> {
  if (!ctx.io.stdinIsTTY || !ctx.io.stdoutIsTTY) {
    throw new UsageError(
      `triage is interactive and needs a terminal; in scripts use \`${ctx.invocation('reply')} <id> --text "…"\` and \`${ctx.invocation('mark')} <id...> <status>\``,
    );
  }
  const { config } = await ctx.config();
  const store = await ctx.store();
  const search = await parseSearch(ctx, options);
  const session = new TriageSession(ctx, config, store, search);
  try {
    await session.loop();
  } catch (error) {
    // Ctrl-C inside a prompt ends the session like `q`.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      ctx.io.out(`\nstopped; run ${ctx.invocation('triage')} to carry on`);
      return;
    }
    throw error;
  }
}

class TriageSession {
  private readonly skipped = new Set<number>();
  private readonly undo: Undo[] = [];
  private readonly channels: Channels;
  private readonly actor: string;
  private handled = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: Config,
    private readonly store: Store,
    private readonly search: MentionSearch,
  ) {
    this.channels = new Channels(() => ctx.sources());
    this.actor = ctx.person();
  }

  private get db() {
    return this.store.db;
  }

  /** The item this session has claimed (others see who is on it and skip it), if any. */
  private claimed: number | null = null;

  async loop(): Promise<void> {
    try {
      await this.work();
    } finally {
      await this.letGo();
    }
  }

  /** Releases this session's claim, if it holds one. */
  private async letGo(): Promise<void> {
    if (this.claimed === null) return;
    const id = this.claimed;
    this.claimed = null;
    await releaseClaim(this.db, id, this.actor);
  }

  /**
   * Claims the item before showing it, and reads it again under the claim: null (and the item is skipped) when
   * someone else has it open, or answered or closed it after the queue was read. A claim this session holds
   * already is refreshed.
   */
  private async take(item: Mention): Promise<Mention | null> {
    if (this.claimed !== null && this.claimed !== item.id) await this.letGo();
    const now = this.ctx.now();
    const claim = await claimItem(this.db, item.id, this.actor, now);
    if (!claim.ok) {
      this.ctx.io.out(`#${item.id}: ${sanitizeLine(claim.holder)} is on this (active ${relativeTime(claim.activeAt, now)}); skipping it`);
      this.skipped.add(item.id);
      return null;
    }
    this.claimed = item.id;
    const current = await getMention(this.db, item.id);
    if (current && isOpenItem(current)) return current;
    // Gone from the queue meanwhile (another person's reply, a poll's thread linking): nothing to do here.
    await this.letGo();
    this.skipped.add(item.id);
    return null;
  }

  /** A key was pressed: the claim holds on; false when it lapsed and another person took the item meanwhile. */
  private async stillOurs(item: Mention): Promise<boolean> {
    if (await touchClaim(this.db, item.id, this.actor, this.ctx.now())) return true;
    const holder = await claimHolder(this.db, item.id, this.ctx.now());
    this.claimed = null;
    this.skipped.add(item.id);
    this.ctx.io.out(`#${item.id}: ${holder ? `${sanitizeLine(holder.person)} took this over` : 'your claim lapsed'} while it was idle; nothing was changed — skipping it`);
    return false;
  }

  private async work(): Promise<void> {
    await recomputePriorities(this.db, this.config, this.ctx.now());
    for (;;) {
      const next = await nextItem(this.db, { search: this.search, skipped: this.skipped });
      const item = next && (await this.take(next));
      if (next && !item) continue;
      if (!item) {
        const left = await openCount(this.db, this.search);
        const filtered = Object.keys(this.search).length > 0;
        this.ctx.io.out(
          left > 0
            ? `\nNothing left but the ${left} you skipped; run ${this.ctx.invocation('triage')} again to see them.`
            : filtered
              ? `\nNo open items match these filters — ${this.handled} handled this session (${await openCount(this.db)} open in all).`
              : `\nInbox clear — ${this.handled} handled this session.`,
        );
        return;
      }
      if (item.status === 'new') await setStatus(this.db, item.id, 'open', this.actor, this.ctx.now());
      this.ctx.io.out(await this.render(item));
      let key = await this.ctx.prompter.key({ message: 'Action:', choices: ACTIONS, hint: FOOTER });
      while (key === '?') {
        this.ctx.io.out(this.help());
        key = await this.ctx.prompter.key({ message: 'Action:', choices: ACTIONS, hint: FOOTER });
      }
      if (key !== 'q' && !(await this.stillOurs(item))) continue;
      const quit = await this.act(key, (await getMention(this.db, item.id))!);
      if (quit) {
        this.ctx.io.out(`${this.handled} handled; the rest stays in the queue for next time.`);
        return;
      }
    }
  }

  private async render(item: Mention): Promise<string> {
    const { color } = this.ctx.io;
    const now = this.ctx.now();
    const since = await waitingSince(this.db, item);
    const prio = priorityOf(item, this.config, now, since);
    const level = priorityLevel(prio.score);
    const levelText = level === 'urgent' ? color.red.bold(level) : level === 'high' ? color.yellow.bold(level) : level;
    const target = slaTarget(this.config, item.platform, item.channel);
    const waited = now - since;
    const ageColor = waited >= target ? color.red : waited >= target / 2 ? color.yellow : color.green;
    const followers = item.authorFollowers === null ? '? followers' : `${compactNumber(item.authorFollowers)} followers`;
    const width = this.ctx.io.columns;
    const fit = (text: string) => truncateWidth(text, width);
    const wrap = (text: string, indent = '') => text.split('\n').map((l) => indent + wrapWidth(l, width - indent.length).replace(/\n/g, `\n${indent}`)).join('\n');
    const open = `${await openCount(this.db, this.search)} open`;
    const head = fit(`#${item.id} ${item.platform} · ${level} ${prio.score.toFixed(0)} — ${sanitizeLine(shortReason(prio))}`);
    const room = width - displayWidth(head) - 3;
    const who = `@${sanitizeLine(item.authorHandle)}${item.authorName ? ` (${sanitizeLine(item.authorName)})` : ''} · ${followers}`;
    const waiting = `waiting ${formatDuration(waited)} of ${formatDuration(target)} SLA`;
    const lines = [
      '',
      color.dim('─'.repeat(Math.min(width, 100))),
      head.replace(`#${item.id}`, color.bold(`#${item.id}`)).replace(` ${level} `, ` ${levelText} `) + (room >= open.length ? `   ${color.dim(open)}` : ''),
      displayWidth(`${who} · ${waiting}`) <= width ? `${who} · ${ageColor(waiting)}` : fit(`${who} · ${waiting}`),
      fit(`category ${item.categoryManual ? `${item.category} (by hand)` : item.categoryUnsure ? `unsure (${item.category ?? '—'}?) — c to set it` : (item.category ?? '—')} · sentiment ${item.sentiment === null ? '—' : item.sentiment.toFixed(2)} · likes ${item.likes} · reposts ${item.reposts} · replies ${item.replies}`),
    ];
    if (answersPrivately(item)) {
      const privately = item.channel === 'dm' || (await threadOf(this.db, item)).some((e) => e.kind === 'mention' && e.mention.channel === 'dm');
      lines.push(color.magenta(fit(privately ? 'customer wrote privately — answers go by DM' : 'taken private — answers go by DM')));
    }
    const draft = await draftFor(this.db, item.id);
    if (draft) lines.push(color.yellow(fit(`draft (${relativeTime(draft.updatedAt, now)}): ${sanitizeLine(draft.text)}`)));
    const thread = await threadOf(this.db, item);
    if (thread.length > 1) {
      lines.push(color.bold('Thread:'));
      const zone = this.config.timezone ?? 'UTC';
      for (const entry of thread) {
        const at = formatInstant(entry.at, zone).slice(0, 16).replace('T', ' ');
        if (entry.kind === 'mention') lines.push(`  ${color.dim(at)} @${sanitizeLine(entry.mention.authorHandle)}${entry.mention.channel === 'dm' ? ' (DM)' : ''}:`, wrap(sanitizeText(entry.mention.text), '    '));
        else lines.push(`  ${color.dim(at)} ${color.cyan(`us (${entry.response.channel === 'dm' ? 'DM, ' : ''}${entry.response.via}, ${entry.response.state})`)}:`, wrap(sanitizeText(entry.response.text), '    '));
      }
    } else {
      lines.push('', wrap(sanitizeText(item.text)), '');
    }
    if (item.url) lines.push(color.dim(sanitizeLine(item.url)));
    return lines.join('\n');
  }

  /** Runs one action; true when the person quits. */
  private async act(key: string, item: Mention): Promise<boolean> {
    const now = this.ctx.now();
    switch (key) {
      case 'q':
        return true;
      case 'r':
        await this.compose(item, (await draftFor(this.db, item.id))?.text ?? '');
        return false;
      case 't': {
        const text = await this.pickTemplate(item);
        if (text !== null) await this.compose(item, text);
        return false;
      }
      case 'p': {
        // The public "please DM us" is a separate, optional step: the item goes private either way.
        const preset = this.config.templates['take-private'];
        const offer = preset !== undefined ? ` (“${truncateWidth(sanitizeLine(this.fill('take-private', preset, item)), Math.max(20, this.ctx.io.columns - 40))}”)` : '';
        const step = await this.ctx.prompter.key({
          message: `Take private: answer @${sanitizeLine(item.authorHandle)} in public first?${offer}`,
          choices: [
            { key: 'y', label: 'post the public "please DM us", then take private' },
            { key: 'n', label: 'take private without a public reply' },
            { key: 'x', label: 'back' },
          ],
        });
        if (step === 'x') return false;
        if (step === 'n') {
          await this.changeStatus(item, 'private', now);
          this.ctx.io.out('its answers go by DM from now on; a DM from the customer brings it back to the queue');
          return false;
        }
        if (!(await this.confirmAnotherReply(item))) return false;
        const text = preset !== undefined ? this.fill('take-private', preset, item) : await this.pickTemplate(item);
        if (text !== null) await this.reply(item, text, 'private', 'public');
        return false;
      }
      case 'd':
        await this.changeStatus(item, 'resolved', now);
        return false;
      case 'i':
        await this.changeStatus(item, 'ignored', now);
        return false;
      case 's':
        await this.changeStatus(item, 'spam', now);
        return false;
      case 'c': {
        const choices = CATEGORIES.map((c, i) => ({ key: String(i + 1), label: c }));
        const picked = await this.ctx.prompter.key({ message: 'Category:', choices: [...choices, { key: 'x', label: 'cancel' }] });
        if (picked === 'x') return false;
        const category = CATEGORIES[Number(picked) - 1]!;
        this.undo.push({ kind: 'category', id: item.id, from: item.category, manual: item.categoryManual });
        await setCategory(this.db, item.id, category, this.actor, now);
        await recomputePriorities(this.db, this.config, now);
        this.ctx.io.out(`category → ${category} (kept from now on)`);
        return false;
      }
      case 'n': {
        const note = await this.ctx.prompter.input({ message: 'Note (empty to cancel):' });
        if (note.trim() !== '') {
          await addNote(this.db, item.id, note, this.actor, now);
          this.undo.push({ kind: 'note', id: item.id });
          this.ctx.io.out('note added to the history');
        }
        return false;
      }
      case 'o':
        if (item.url) {
          this.ctx.openBrowser(item.url);
          this.ctx.io.out(`opened ${sanitizeLine(item.url)}`);
        } else this.ctx.io.out('this mention has no link');
        return false;
      case 'k':
        this.skipped.add(item.id);
        this.undo.push({ kind: 'skip', id: item.id });
        return false;
      case 'u':
        await this.undoLast(now);
        return false;
    }
    return false;
  }

  private fill(name: string, template: string, item: Mention): string {
    return fillTemplate(name, template, { author: item.authorHandle, brand: this.config.brand, url: item.url });
  }

  private async pickTemplate(item: Mention): Promise<string | null> {
    const names = Object.keys(this.config.templates).slice(0, 9);
    if (names.length === 0) {
      this.ctx.io.out('no templates in the config (add them under templates:)');
      return null;
    }
    for (const [i, name] of names.entries()) this.ctx.io.out(`  ${i + 1}. ${name}: ${sanitizeLine(this.fill(name, this.config.templates[name]!, item))}`);
    const picked = await this.ctx.prompter.key({ message: 'Template:', choices: [...names.map((n, i) => ({ key: String(i + 1), label: n })), { key: 'x', label: 'cancel' }] });
    if (picked === 'x') return null;
    const name = names[Number(picked) - 1]!;
    return this.fill(name, this.config.templates[name]!, item);
  }

  private async changeStatus(item: Mention, status: Status, now: number): Promise<void> {
    this.undo.push({ kind: 'status', id: item.id, from: item.status });
    await setStatus(this.db, item.id, status, this.actor, now);
    this.handled++;
    this.ctx.io.out(`#${item.id} → ${status}`);
  }

  private help(): string {
    return ['Keys:', ...ACTIONS.map((a) => `  ${a.key}  ${HELP[a.key]}`)].map((l) => truncateWidth(l, this.ctx.io.columns)).join('\n');
  }

  /** Asks before a second reply to a mention we have answered already; true to go on. */
  private async confirmAnotherReply(item: Mention): Promise<boolean> {
    const { threadTip } = await import('../../triage/outbox.js');
    const previous = await sentReplyTo(this.db, await threadTip(this.db, item));
    if (!previous) return true;
    const when = previous.sentAt === null ? '' : ` ${relativeTime(previous.sentAt, this.ctx.now())}`;
    this.ctx.io.out(`you replied${when}${previous.via === 'native' ? ' (on the platform)' : ''}: ${truncateWidth(sanitizeLine(previous.text), Math.max(20, this.ctx.io.columns - 30))}`);
    const key = await this.ctx.prompter.key({ message: 'Reply again?', choices: [{ key: 'y', label: 'write another reply' }, { key: 'x', label: 'back' }] });
    return key === 'y';
  }

  /** The composer loop: the text is kept as the mention's draft whenever it is not sent. */
  private async compose(item: Mention, initial: string): Promise<void> {
    if (!(await this.confirmAnotherReply(item))) return;
    let text = initial;
    let measure: (t: string) => { length: number; limit: number };
    let label: string;
    try {
      const { threadTip } = await import('../../triage/outbox.js');
      const tip = await threadTip(this.db, item);
      const via = await answerChannel(this.store, item);
      const { channel } = await this.channels.forAnswer(tip.source, via);
      measure = (t) => channel.measure(t);
      label = channelLabel(via, sanitizeLine(tip.authorHandle), tip.platform);
    } catch (error) {
      this.ctx.io.out(`cannot reply: ${sanitizeLine((error as Error).message)}`);
      return;
    }
    for (;;) {
      const result = await this.ctx.prompter.compose({ message: `${label}:`, initial: text, measure });
      text = result.text;
      if (result.action === 'editor') {
        try {
          text = await this.ctx.editText(text);
        } catch (error) {
          this.ctx.io.out(sanitizeLine((error as Error).message));
        }
        continue;
      }
      if (text.trim() === '') {
        if (await draftFor(this.db, item.id)) {
          await discardDraft(this.db, item.id);
          this.ctx.io.out('draft discarded');
        }
        return;
      }
      await saveDraft(this.db, item.id, text, this.ctx.now());
      if (result.action === 'cancel') {
        this.ctx.io.out(`draft kept for #${item.id}; r picks it up again`);
        return;
      }
      const outcome = await this.reply(item, text, null);
      if (outcome !== 'too-long') return;
    }
  }

  /** Plans, confirms and sends; the draft goes once the reply is posted, and stays otherwise. */
  private async reply(item: Mention, text: string, then: Status | null, via?: Channel): Promise<'sent' | 'too-long' | 'kept'> {
    const { io } = this.ctx;
    let plan;
    try {
      plan = await planReply(this.store, this.channels, item, text, via);
    } catch (error) {
      io.out(`cannot reply: ${sanitizeLine((error as Error).message)}`);
      return 'kept';
    }
    if (plan.length > plan.limit) {
      io.out(`too long: ${plan.length}/${plan.limit} by ${plan.target.platform}'s count — shorten it by ${plan.length - plan.limit}; nothing was sent`);
      return 'too-long';
    }
    if (plan.blocked !== null) {
      io.out(`cannot reply through the API: ${sanitizeLine(plan.blocked)}`);
      if (plan.webUrl) {
        io.out(`web reply (text filled in): ${plan.webUrl}`);
        const key = await this.ctx.prompter.key({ message: 'Open it?', choices: [{ key: 'o', label: 'open in browser' }, { key: 'x', label: 'back' }] });
        if (key === 'o') {
          this.ctx.openBrowser(plan.webUrl);
          io.out('opened; the next poll records the reply made there');
          if (then) await this.changeStatus(item, then, this.ctx.now());
          else this.skipped.add(item.id);
        }
      }
      return 'kept';
    }
    io.out(`${sanitizeLine(plan.label)} — ${plan.length}/${plan.limit}: ${sanitizeText(text)}`);
    const confirm = await this.ctx.prompter.key({ message: 'Send?', choices: [{ key: 'y', label: 'send' }, { key: 'x', label: 'cancel' }] });
    if (confirm !== 'y') {
      await saveDraft(this.db, item.id, text, this.ctx.now());
      io.out(`not sent; the draft is kept for #${item.id}`);
      return 'kept';
    }
    const before = item.status;
    let outcome;
    try {
      outcome = await send({ now: () => this.ctx.now(), actor: this.actor }, this.store, this.channels, plan);
    } catch (error) {
      await saveDraft(this.db, item.id, text, this.ctx.now());
      io.out(`not sent: ${sanitizeLine((error as Error).message)}; the draft is kept`);
      this.skipped.add(item.id);
      return 'kept';
    }
    switch (outcome.status) {
      case 'sent':
      case 'already-sent':
        await discardDraft(this.db, item.id);
        io.out(outcome.status === 'sent' ? `sent${outcome.url ? ` ${outcome.url}` : ''}` : 'an earlier attempt had been posted after all; nothing new was sent');
        this.undo.push({ kind: 'reply', id: item.id });
        this.handled++;
        if (then) {
          this.undo.push({ kind: 'status', id: item.id, from: before });
          await setStatus(this.db, item.id, then, this.actor, this.ctx.now());
        }
        return 'sent';
      case 'not-possible':
        await saveDraft(this.db, item.id, text, this.ctx.now());
        io.out(`cannot reply through the API: ${sanitizeLine(outcome.reason)}`);
        return 'kept';
      case 'refused':
        await saveDraft(this.db, item.id, text, this.ctx.now());
        io.out(`refused: ${sanitizeLine(outcome.reason)}; nothing was posted, the draft is kept`);
        this.skipped.add(item.id);
        return 'kept';
      case 'unknown':
        io.out(`no answer from ${item.platform} (${sanitizeLine(outcome.reason)}); the outcome is unknown — the next attempt checks the platform first`);
        this.skipped.add(item.id);
        return 'kept';
    }
  }

  private async undoLast(now: number): Promise<void> {
    const last = this.undo.pop();
    const { io } = this.ctx;
    if (!last) return io.out('nothing to undo');
    const actor = `${this.actor} (undo)`;
    switch (last.kind) {
      case 'status':
        await setStatus(this.db, last.id, last.from, actor, now);
        this.skipped.delete(last.id);
        this.handled = Math.max(0, this.handled - 1);
        return io.out(`#${last.id} back to ${last.from}`);
      case 'category':
        await restoreCategory(this.db, last.id, last.from, last.manual, actor, now);
        await recomputePriorities(this.db, this.config, now);
        return io.out(`#${last.id} category back to ${last.from ?? '—'}`);
      case 'note':
        await addNote(this.db, last.id, '(the note above was withdrawn)', actor, now);
        return io.out('note withdrawn');
      case 'skip':
        this.skipped.delete(last.id);
        return io.out(`#${last.id} is back in the queue`);
      case 'reply':
        return io.out('a sent reply cannot be taken back from here; delete it on the platform if needed');
    }
  }
}
