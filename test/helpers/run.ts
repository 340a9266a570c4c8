import { PassThrough, Writable } from 'node:stream';
import { execute } from '../../src/cli/main.js';
import { TEST_HOME } from './home.js';
import type { Prompter } from '../../src/io/prompter.js';

/** Text written to a fake terminal or pipe, with what the command can ask of it. */
class Capture extends Writable {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns: number | undefined,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface InProcessOptions {
  env?: Record<string, string>;
  /** stdout and stdin are a terminal (default: piped, like cron). */
  tty?: boolean;
  columns?: number;
  /** The product clock, fixed: epoch ms or an ISO time. */
  now?: number | string;
  prompter?: Prompter;
  /** Links the command opened in the browser are pushed here. */
  opened?: string[];
  signal?: AbortSignal;
  /** What stdin holds (then it ends). */
  input?: string;
  /** Stands in for $VISUAL/$EDITOR: given the text, returns what the person saved. */
  editor?: (text: string) => string;
  /** Waiting is instant and advances the pacing clock (watch). */
  sleep?: (ms: number) => Promise<void>;
}

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command line in this process on the real context: fake streams, a fixed clock, no user config
 * (HOME is the test file's own temp folder) — the same path as the built CLI, without spawning Node.
 */
export async function runInProcess(args: string[], options: InProcessOptions = {}): Promise<InProcessResult> {
  const tty = options.tty ?? false;
  const stdout = new Capture(tty, options.columns ?? (tty ? 100 : undefined));
  const stderr = new Capture(tty, undefined);
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  stdin.end(options.input ?? '');
  const now = typeof options.now === 'string' ? Date.parse(options.now) : options.now;
  let elapsed = 0;
  const code = await execute(args, {
    env: { HOME: TEST_HOME, NO_COLOR: '1', TZ: 'UTC', ...options.env },
    stdout,
    stderr,
    stdin,
    signal: options.signal ?? new AbortController().signal,
    ...(now !== undefined ? { now: () => now } : {}),
    elapsed: () => elapsed,
    sleep: async (ms) => {
      elapsed += Math.max(0, ms);
      await options.sleep?.(ms);
    },
    ...(options.prompter ? { prompter: options.prompter } : {}),
    ...(options.editor ? { editText: async (text: string) => options.editor!(text) } : {}),
    // Without a list to record into, links go to $BROWSER as in the real CLI.
    ...(options.opened
      ? {
          openBrowser: (url: string) => {
            options.opened!.push(url);
            return true;
          },
        }
      : {}),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * A prompter that answers from a script, in order, and fails the test on a question it did not expect.
 * The composer's answer is the finished text (Ctrl-D), or `<esc>` (cancel) / `<editor>` (Ctrl-E) for the text it was given.
 */
export function scriptedPrompter(answers: (string | boolean)[]): Prompter & { asked: string[]; refused: string[] } {
  const asked: string[] = [];
  const refused: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`unexpected question: ${message}`);
    return answers.shift()!;
  };
  return {
    asked,
    refused,
    // As in the terminal, an answer the check refuses is asked again: the next scripted answer is the retry.
    input: async (q) => {
      for (;;) {
        const given = String(next(q.message));
        const answer = given === '' && q.default !== undefined ? q.default : given;
        const verdict = q.validate?.(answer);
        if (typeof verdict !== 'string') return answer;
        refused.push(`${q.message}: ${verdict}`);
      }
    },
    confirm: async (q) => Boolean(next(q.message)),
    key: async (q) => {
      const key = String(next(q.message));
      if (!q.choices.some((c) => c.key === key)) throw new Error(`"${key}" is not a choice of "${q.message}"`);
      return key;
    },
    compose: async (q) => {
      const answer = String(next(q.message));
      if (answer === '<esc>') return { action: 'cancel', text: q.initial ?? '' };
      if (answer === '<editor>') return { action: 'editor', text: q.initial ?? '' };
      return { action: 'done', text: answer };
    },
  };
}
