/**
 * Typed failures, on the ground floor: any layer may throw them. Only src/cli/main.ts turns them into
 * exit codes; no other module names an exit number.
 */

interface FailureOptions {
  /** The command already told the person what went wrong (a summary, a list of checks): print nothing more. */
  reported?: boolean;
  cause?: unknown;
}

abstract class BrandwatchError extends Error {
  readonly reported: boolean;
  constructor(message: string, options: FailureOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reported = options.reported ?? false;
  }
}

/** Bad flags, arguments or input the person typed. */
export class UsageError extends BrandwatchError {
  override name = 'UsageError';
}

/** The config file is missing, unreadable or invalid. */
export class ConfigError extends BrandwatchError {
  override name = 'ConfigError';
}

/** Try again later: another poll holds the lock, every source is rate limited, an outcome is unknown. */
export class TemporaryError extends BrandwatchError {
  override name = 'TemporaryError';
}

/** The database cannot be used (not ours, newer schema, read-only, damaged, disk full). */
export class StoreError extends BrandwatchError {
  override name = 'StoreError';
}

/** The work failed at run time (a platform refused, nothing could be fetched, a check failed). */
export class RuntimeFailure extends BrandwatchError {
  override name = 'RuntimeFailure';
}

/** Some of the work was done and stored, some failed (e.g. one source of several): cron must notice. */
export class PartialFailure extends BrandwatchError {
  override name = 'PartialFailure';
}

/** A failure that was already reported to the person: nothing more to print. */
export function isReported(error: unknown): boolean {
  return error instanceof BrandwatchError && error.reported;
}
