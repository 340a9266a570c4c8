/**
 * `list --json id,text,priority` as gh has it, beside the global `--json` flag: a `--json` followed by a
 * list made only of mention field names (or `--json=…`) becomes `--json --fields …` before parsing,
 * so `brandwatch --json list` and `show --json 5` keep meaning what they did. Pure: argv in, argv out.
 */

/** The fields of a mention in `list --json` (and `show --json`). */
export const MENTION_FIELDS = [
  'id', 'platform', 'source', 'externalId', 'url', 'author', 'text', 'lang', 'createdAt', 'fetchedAt', 'keywords',
  'inReplyTo', 'conversationId', 'metrics', 'sentiment', 'category', 'priority', 'priorityLevel', 'slaDeadline',
  'status', 'statusChangedAt', 'firstResponseAt', 'assignedTo',
] as const;

const FIELD_LIST = /^[A-Za-z]+(,[A-Za-z]+)*$/;

export function expandJsonFields(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--json=')) {
      out.push('--json', '--fields', arg.slice('--json='.length));
      continue;
    }
    const next = argv[i + 1];
    if (arg === '--json' && next !== undefined && FIELD_LIST.test(next) && next.split(',').every((f) => (MENTION_FIELDS as readonly string[]).includes(f))) {
      out.push('--json', '--fields', next);
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}
