import { CommanderError } from 'commander';
import { buildProgram, globalOptions } from './program.js';
import { ConfigError, isReported, PartialFailure, TemporaryError, UsageError } from '../errors.js';
import type { Context } from './context.js';
import { sanitizeLine } from '../io/sanitize.js';

/** The only place that ends the process: every error class maps to its exit code here. */
export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  let context: Context | null = null;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`brandwatch: ${signal} received; stopping after the current step (send again to abort)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let verbose = argv.includes('-v') || argv.includes('--verbose');
  const program = buildProgram(async (load, args, command) => {
    const options = globalOptions(command);
    verbose = options.verbose;
    const { createContext } = await import('./context.js');
    context = createContext({
      options,
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      signal: controller.signal,
    });
    const module = await load();
    await module.run(context, ...(args as never[]));
  });

  let code: number = ExitCode.ok;
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      code = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    } else {
      code = exitCodeFor(error);
      if (!isReported(error)) {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`brandwatch: ${sanitizeLine(message.split('\n')[0] ?? '')}\n`);
        if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      }
    }
  } finally {
    (context as Context | null)?.close();
  }
  process.exitCode = code;
  // Flush stdout/stderr before leaving; open handles (agents, timers) must not keep cron waiting.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

/** Exit codes of DESIGN §2. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  partial: 3,
  temporary: 75,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The one mapping from error class to exit code. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof ConfigError) return ExitCode.usage;
  if (error instanceof TemporaryError) return ExitCode.temporary;
  if (error instanceof PartialFailure) return ExitCode.partial;
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
