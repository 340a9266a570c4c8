import { checkPerson, type Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { getMention } from '../../store/mentions.js';
import { assignItem } from '../../store/team.js';
import { sanitizeLine } from '../../io/sanitize.js';
import { parseMentionId } from '../mention-id.js';

export interface AssignOptions {
  none?: boolean;
}

export interface AssignResult {
  id: number;
  from: string | null;
  to: string | null;
  changed: boolean;
}

/** `assign <id> <person>` (or `--none`): give an item to a person, or to nobody; the change is audited. */
export async function assign(ctx: Context, idText: string, personText: string | undefined, options: AssignOptions): Promise<AssignResult> {
  const id = parseMentionId(idText);
  if (options.none && personText !== undefined) throw new UsageError('give a person or --none, not both');
  if (!options.none && personText === undefined) {
    throw new UsageError(`say who takes #${id}, e.g. \`${ctx.invocation('assign', String(id), 'kim')}\` (or --none to unassign it)`);
  }
  const person = options.none ? null : checkPerson(personText!, 'the person');
  const store = await ctx.store();
  const mention = await getMention(store.db, id);
  if (!mention) throw new UsageError(`no mention has id ${id} (see \`${ctx.invocation('list', '--status', 'all')}\`); nothing was changed`);
  // A follow-up is part of its thread's item: the item is what is assigned.
  const itemId = mention.threadId ?? mention.id;
  const before = itemId === mention.id ? mention : await getMention(store.db, itemId);
  const changed = await assignItem(store.db, itemId, person, ctx.person(), ctx.now());
  return { id: itemId, from: before?.assignedTo ?? null, to: person, changed };
}

export async function run(ctx: Context, idText: string, personText: string | undefined, options: AssignOptions): Promise<void> {
  const result = await assign(ctx, idText, personText, options);
  if (ctx.io.json) return ctx.io.outJson(result);
  const name = (p: string | null) => (p === null ? 'nobody' : sanitizeLine(p));
  if (!result.changed) ctx.io.out(`#${result.id} is assigned to ${name(result.to)} already`);
  else ctx.io.out(`#${result.id}: assigned to ${name(result.to)}${result.from !== null ? ` (was ${name(result.from)})` : ''}`);
}
