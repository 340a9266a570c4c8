import type { Context } from '../context.js';
import { parseMentionId } from '../mention-id.js';
import { UsageError } from '../../errors.js';
import { getMention } from '../../store/mentions.js';
import { responsesFor } from '../../store/responses.js';
import { eventsFor } from '../../store/events.js';
import { formatInstant } from '../../time/zone.js';
import { formatDuration } from '../../config/duration.js';
import { sanitizeLine, sanitizeText } from '../../io/sanitize.js';
import { mentionJson } from '../mention-json.js';
import type { Db } from '../../store/open.js';
import type { Mention } from '../../store/mentions.js';
import { priorityLevel } from '../../triage/levels.js';

/** The parts of a mention's priority now (DESIGN §6: every mention says why it ranks where it does). */
async function explainPriority(ctx: Context, db: Db, mention: Mention) {
  const { priorityOf, waitingSince } = await import('../../triage/assess.js');
  // Without a config (`--db` alone) the default 24 h target applies.
  const { DEFAULT_SLA } = await import('../../metrics/sla.js');
  const sla = ctx.hasConfig() ? (await ctx.config()).config : { sla: DEFAULT_SLA };
  return priorityOf(mention, sla, ctx.now(), await waitingSince(db, mention));
}

interface GuessExplained {
  category: string;
  confidence: number;
  unsure: boolean;
  lang: string;
  languageSupported: boolean;
  /** The words and phrases that drove the guess, strongest first. */
  words: string[];
}

/** Why the classifier guessed what it did (not for categories the person set). */
async function explainGuess(db: Db, mention: Mention): Promise<GuessExplained | null> {
  if (mention.categoryManual) return null;
  const { classifierFor } = await import('../../triage/learning.js');
  // Only this text's rows of the weights: a few hundred bytes of the 2.9 MB file.
  const classifier = await classifierFor(db, [mention.text]);
  const guess = classifier.classify(mention.text, mention.lang);
  const words = classifier.explain(mention.text, 4).map((f) => f.phrase);
  return { category: guess.category, confidence: guess.confidence, unsure: guess.unsure, lang: guess.lang, languageSupported: guess.languageSupported, words };
}

function guessLine(guess: GuessExplained): string {
  const words = guess.words.map((w) => `"${sanitizeLine(w)}"`).join(', ');
  const sure = `${Math.round(guess.confidence * 100)}% sure`;
  if (!guess.languageSupported) return `guess: unsure — written in ${sanitizeLine(guess.lang)}, which the classifier was not trained on (it would say ${guess.category}, ${sure})`;
  if (guess.unsure) return `guess: unsure — ${guess.category} at only ${sure}; set the category by hand (words: ${words})`;
  return `guess: ${guess.category}, ${sure}, from ${words}`;
}

export async function run(ctx: Context, idText: string): Promise<void> {
  const id = parseMentionId(idText);
  const store = await ctx.store();
  const mention = await getMention(store.db, id);
  if (!mention) throw new UsageError(`no mention has id ${id} (see \`${ctx.invocation('list', '--status', 'all')}\`)`);
  const responses = await responsesFor(store.db, mention.id);
  const events = await eventsFor(store.db, mention.id);
  const timeZone = await ctx.timeZone();
  const guess = await explainGuess(store.db, mention);
  if (ctx.io.json) {
    ctx.io.outJson({
          ...mentionJson(mention, timeZone),
          guess,
          responses: responses.map((r) => ({
            id: r.id,
            externalId: r.externalId,
            text: r.text,
            via: r.via,
            channel: r.channel,
            state: r.state,
            sentAt: r.sentAt === null ? null : formatInstant(r.sentAt, timeZone),
            by: r.actor,
          })),
          history: events.map((e) => ({ at: formatInstant(e.at, timeZone), kind: e.kind, from: e.oldValue, to: e.newValue, by: e.actor })),
        });
    return;
  }
  const { color } = ctx.io;
  const now = ctx.now();
  const lines: string[] = [];
  const author = `@${sanitizeLine(mention.authorHandle)}${mention.authorName ? ` (${sanitizeLine(mention.authorName)})` : ''}`;
  lines.push(`${color.bold(`#${mention.id}`)} ${mention.platform}${mention.channel === 'dm' ? ' · direct message' : ''} · ${author} · ${mention.authorFollowers ?? '?'} followers`);
  lines.push(`${formatInstant(mention.createdAt, timeZone)} (${formatDuration(now - mention.createdAt)} ago) · fetched after ${formatDuration(mention.fetchedAt - mention.createdAt)}`);
  if (mention.url) lines.push(color.underline(sanitizeLine(mention.url)));
  lines.push('');
  // On a terminal, prose folds at the width (the piped form keeps one line per entry, and never loads the measuring).
  const wrapWidth = ctx.io.stdoutIsTTY ? (await import('../../io/width.js')).wrapWidth : null;
  const fold = (text: string, indent = '') =>
    wrapWidth ? text.split('\n').map((l) => wrapWidth(l, ctx.io.columns - indent.length).split('\n').join(`\n${indent}`)).join('\n') : text;
  lines.push(fold(sanitizeText(mention.text)));
  lines.push('');
  lines.push(
    `status ${color.bold(mention.status)} · category ${mention.category ?? '—'}${mention.categoryManual ? ' (set by hand)' : ''} · sentiment ${mention.sentiment ?? '—'} · priority ${mention.priority.toFixed(1)}`,
  );
  if (mention.assignedTo !== null) lines.push(`assigned to ${sanitizeLine(mention.assignedTo)}`);
  if (guess) lines.push(guessLine(guess));
  const why = await explainPriority(ctx, store.db, mention);
  lines.push(`${color.bold(`Priority ${why.score} (${priorityLevel(why.score)})`)}${mention.status === 'new' || mention.status === 'open' ? '' : color.dim(' — if it were still open')}`);
  for (const part of why.parts) lines.push(`  ${part.factor.padEnd(9)} ${String(part.points).padStart(4)}/${part.max}  ${sanitizeLine(part.detail)}`);
  lines.push(`likes ${mention.likes} · reposts ${mention.reposts} · replies ${mention.replies} · quotes ${mention.quotes} · keywords ${mention.keywords.join(', ') || '—'}`);
  if (responses.length > 0) {
    lines.push('', color.bold('Responses'));
    for (const r of responses) {
      const when = r.sentAt !== null ? `${formatInstant(r.sentAt, timeZone)} (after ${formatDuration(r.sentAt - mention.createdAt)})` : 'not sent';
      lines.push(fold(`  ${when} · ${r.channel === 'dm' ? 'DM · ' : ''}${r.via}${r.actor !== null ? ` by ${sanitizeLine(r.actor)}` : ''} · ${r.state}: ${sanitizeLine(r.text)}`, '    '));
    }
  }
  if (events.length > 0) {
    lines.push('', color.bold('History'));
    for (const e of events) {
      lines.push(fold(`  ${formatInstant(e.at, timeZone)} ${e.kind} ${e.oldValue ?? '—'} → ${sanitizeLine(e.newValue ?? '—')} (${sanitizeLine(e.actor)})`, '    '));
    }
  }
  ctx.io.out(lines.join('\n'));
}
