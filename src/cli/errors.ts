/** Typed failures; src/cli/main.ts maps each class to its exit code in one place. */

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  partial: 3,
  temporary: 75,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad flags, arguments or config: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The config file is missing, unreadable or invalid: exit 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Try again later: another poll holds the lock, or every source is rate limited: exit 75. */
export class TemporaryError extends Error {
  override name = 'TemporaryError';
}

/** The database cannot be used (not SQLite, newer schema, read-only…): exit 1. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** A command that finished with a non-zero status it already reported (e.g. partial poll). */
export class ExitStatus extends Error {
  override name = 'ExitStatus';
  constructor(readonly code: ExitCode) {
    super(`exit ${code}`);
  }
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof ExitStatus) return error.code;
  if (error instanceof UsageError || error instanceof ConfigError) return ExitCode.usage;
  if (error instanceof TemporaryError) return ExitCode.temporary;
  if (isCommanderUsageError(error)) return ExitCode.usage;
  return ExitCode.failure;
}

function isCommanderUsageError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof (error as { code: unknown }).code === 'string' &&
    (error as { code: string }).code.startsWith('commander.')
  );
}
