import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { CATEGORIES, getMention, STATUSES, type Category, type Status } from '../../store/mentions.js';
import { addNote, setCategory, setStatus } from '../../triage/actions.js';
import { parseMentionId } from '../mention-id.js';

export interface MarkOptions {
  category?: string;
  note?: string;
}

export function parseStatus(text: string): Status {
  const status = text.toLowerCase();
  if (!(STATUSES as readonly string[]).includes(status)) throw new UsageError(`"${text}" is not a status (use ${STATUSES.join(', ')})`);
  return status as Status;
}

export function parseCategory(text: string): Category {
  const category = text.toLowerCase();
  if (!(CATEGORIES as readonly string[]).includes(category)) throw new UsageError(`--category: "${text}" is not a category (use ${CATEGORIES.join(', ')})`);
  return category as Category;
}

/** `mark <id...> <status> [--category c] [--note n]`: status, category and notes without replying; each change is audited. */
export async function run(ctx: Context, args: string[], options: MarkOptions): Promise<void> {
  if (args.length < 2) throw new UsageError('give one or more mention ids and then a status, e.g. `brandwatch mark 12 14 resolved`');
  const status = parseStatus(args.at(-1)!);
  const ids = args.slice(0, -1).map(parseMentionId);
  const category = options.category !== undefined ? parseCategory(options.category) : undefined;
  if (options.note !== undefined && options.note.trim() === '') throw new UsageError('--note is empty');
  const store = await ctx.store();
  const missing: number[] = [];
  for (const id of ids) if (!(await getMention(store.db, id))) missing.push(id);
  if (missing.length > 0) throw new UsageError(`no mention has id ${missing.join(', ')} (see \`${ctx.invocation('list', '--status', 'all')}\`); nothing was changed`);
  const actor = ctx.person();
  const at = ctx.now();
  const results = await store.db.transaction(async (tx) => {
    const changed = [];
    for (const id of ids) {
      const before = (await getMention(tx, id))!;
      await setStatus(tx, id, status, actor, at);
      if (category) await setCategory(tx, id, category, actor, at);
      if (options.note !== undefined) await addNote(tx, id, options.note, actor, at);
      changed.push({ id, from: before.status, to: status, category: category ?? before.category });
    }
    return changed;
  });
  if (ctx.io.json) return ctx.io.outJson(results);
  for (const r of results) ctx.io.out(`#${r.id}: ${r.from} → ${r.to}${category ? ` · category ${category}` : ''}${options.note !== undefined ? ' · note added' : ''}`);
}
