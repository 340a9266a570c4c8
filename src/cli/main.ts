import { CommanderError } from 'commander';
import { buildProgram, globalOptions } from './program.js';
import { expandJsonFields } from './json-fields.js';
import { ConfigError, isReported, PartialFailure, TemporaryError, UsageError } from '../errors.js';
import type { Context, ContextDeps } from './context.js';
import { sanitizeLine } from '../io/sanitize.js';

/** What a run of the command line is given: the process's streams and environment, or a test's fakes. */
export type RunDeps = Omit<ContextDeps, 'options'>;

/**
 * Run one command line to its exit code, without touching the process: `main` below wires it to the
 * real process, tests call it with fake streams, a fixed clock and a temp database.
 */
export async function execute(argv: string[], deps: RunDeps): Promise<ExitCode> {
  let context: Context | null = null;
  let verbose = argv.includes('-v') || argv.includes('--verbose');
  const program = buildProgram(async (load, args, command) => {
    const options = globalOptions(command);
    verbose = options.verbose;
    const { createContext } = await import('./context.js');
    context = createContext(withDeps(deps, { options, command: command.name() }));
    const module = await load();
    await module.run(context, ...(args as never[]));
  });
  program.configureOutput({
    writeOut: (text) => void deps.stdout.write(text),
    writeErr: (text) => void deps.stderr.write(text),
  });
  // Output that cannot be written: a reader that went away (`| head`) has all it wanted; a full disk is a failure.
  let outputFailure: NodeJS.ErrnoException | null = null;
  const onOutputError = (error: NodeJS.ErrnoException) => void (outputFailure ??= error);
  deps.stdout.on('error', onOutputError);

  try {
    await program.parseAsync(expandJsonFields(argv), { from: 'user' });
    await flushed(deps.stdout).catch(onOutputError);
    return outputFailure ? outputFailureCode(outputFailure, deps.stderr) : ExitCode.ok;
  } catch (error) {
    if (isWriteFailure(error) || outputFailure) return outputFailureCode(outputFailure ?? (error as NodeJS.ErrnoException), deps.stderr);
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    if (!isReported(error)) {
      const redact = (text: string) => (context as Context | null)?.io.redactor.redact(text) ?? text;
      const message = error instanceof Error ? error.message : String(error);
      deps.stderr.write(`brandwatch: ${redact(sanitizeLine(message.split('\n')[0] ?? ''))}\n`);
      if (verbose && error instanceof Error && error.stack) deps.stderr.write(`${redact(error.stack)}\n`);
    }
    return exitCodeFor(error);
  } finally {
    deps.stdout.off('error', onOutputError);
    await (context as Context | null)?.close();
  }
}

/** The run's deps with more fields, keeping getters (a lazy stdin) unread, which a spread would read. */
function withDeps(deps: RunDeps, more: Partial<ContextDeps> & Pick<ContextDeps, 'options'>): ContextDeps {
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(deps), ...Object.getOwnPropertyDescriptors(more) }) as ContextDeps;
}

function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if ((stream as { destroyed?: boolean }).destroyed) return resolve();
    stream.write('', (error) => (error ? reject(error) : resolve()));
  });
}

const WRITE_FAILURES = new Set(['EPIPE', 'ENOSPC', 'EIO', 'EDQUOT', 'EFBIG', 'ERR_STREAM_DESTROYED']);

function isWriteFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && WRITE_FAILURES.has(code) && (error as { syscall?: string }).syscall === 'write';
}

function outputFailureCode(error: NodeJS.ErrnoException, stderr: NodeJS.WritableStream): ExitCode {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return ExitCode.ok;
  stderr.write(`brandwatch: cannot write the output (${error.code ?? error.message}); check the disk or the file it goes to\n`);
  return ExitCode.failure;
}

/** How long the first SIGINT/SIGTERM gives the command to reach a safe point. */
const STOP_GRACE_MS = 10_000;

/** The only place that ends the process. */
export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`brandwatch: ${signal} received; stopping after the current step (send again to abort)\n`);
    controller.abort();
    // A step that does not notice (a stalled socket) must not hold the poll lock for ever: what is stored stays stored.
    setTimeout(() => {
      process.stderr.write(`brandwatch: did not stop within ${STOP_GRACE_MS / 1000}s of ${signal}; exiting\n`);
      process.exit(130);
    }, STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const code = await execute(argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    // Built when first read: making process.stdin loads Node's file-stream modules, which most commands never use.
    get stdin() {
      return process.stdin;
    },
    signal: controller.signal,
  });
  process.exitCode = code;
  // Open handles (agents, timers) must not keep cron waiting; stdout was flushed by execute.
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
