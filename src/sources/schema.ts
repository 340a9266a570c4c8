import { SourceFailure } from './request.js';

/** What `parsePayload` needs of a zod schema. */
export interface PayloadSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: PropertyKey[]; message: string }[] } };
}

/** The first zod issue of a payload, for a one-line "unexpected response" message. */
export function describeIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return 'body';
  return `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`;
}

/** A platform's answer checked against its schema; the wrong shape is a SourceFailure naming the field. */
export function parsePayload<T>(schema: PayloadSchema<T>, data: unknown, what: string, platform: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new SourceFailure(`unexpected ${what} response from ${platform} (${describeIssue(parsed.error.issues)})`);
}
