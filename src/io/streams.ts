import { Chalk, type ChalkInstance } from 'chalk';
import { toJson } from './json.js';
import { Redactor } from './redact.js';

/** What commands write to, and what they know about the terminal. Injected so tests can capture it. */
export interface IO {
  out(text: string): void;
  /** A value as JSON on stdout (`--json`): the one way commands print JSON. */
  outJson(value: unknown, compact?: boolean): void;
  err(text: string): void;
  /** Raw stdout, for data streamed in chunks (CSV export). */
  readonly stdout: NodeJS.WritableStream;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly color: ChalkInstance;
  readonly columns: number;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly json: boolean;
  /** Messages for the person: stderr, suppressed by --quiet. */
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** Known secret values (tokens, passwords), masked in everything written from now on. */
  readonly redactor: Redactor;
}

export interface IOOptions {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  json: boolean;
}

export function createIO(options: IOOptions): IO {
  const stdoutIsTTY = options.stdout.isTTY === true;
  const colorWanted = options.color && !options.env.NO_COLOR && !options.json && stdoutIsTTY && options.env.TERM !== 'dumb';
  const color = new Chalk({ level: options.env.FORCE_COLOR ? 1 : colorWanted ? 1 : 0 });
  const errColor = new Chalk({ level: options.color && !options.env.NO_COLOR && options.stderr.isTTY ? 1 : 0 });
  const redactor = new Redactor();
  const line = (text: string) => redactor.redact(text.endsWith('\n') ? text : `${text}\n`);
  const toErr = (text: string) => void options.stderr.write(redactor.redact(text));
  return {
    out: (text) => void options.stdout.write(line(text)),
    outJson: (value, compact = false) => void options.stdout.write(line(toJson(value, compact))),
    err: (text) => void options.stderr.write(line(text)),
    stdout: options.stdout,
    stdoutIsTTY,
    get stdinIsTTY() {
      return options.stdin.isTTY === true;
    },
    color,
    columns: terminalColumns(options.stdout.columns, options.env.COLUMNS),
    quiet: options.quiet,
    verbose: options.verbose,
    json: options.json,
    redactor,
    info(message) {
      if (!options.quiet) toErr(`${message}\n`);
    },
    warn(message) {
      toErr(`${errColor.yellow('warning:')} ${message}\n`);
    },
    debug(message) {
      if (options.verbose) toErr(`${errColor.dim(message)}\n`);
    },
  };
}

/** The terminal's width: what it reports, else $COLUMNS, else 80 (a pseudo-terminal without a size reports 0). */
export function terminalColumns(reported: number | undefined, fromEnv: string | undefined): number {
  if (reported !== undefined && reported > 0) return reported;
  const env = Number(fromEnv);
  return Number.isInteger(env) && env > 0 ? env : 80;
}
