import { UsageError } from '../errors.js';

/** A mention id as typed on the command line: a whole number within the safe range. */
export function parseMentionId(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`"${text}" is not a mention id (ids are the numbers in the first column of \`brandwatch list\`)`);
  const id = Number(text);
  if (!Number.isSafeInteger(id)) throw new UsageError(`"${text}" is larger than any mention id (ids are the numbers in the first column of \`brandwatch list\`)`);
  return id;
}
