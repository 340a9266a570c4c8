import type { KeyChoice } from './keys.js';
import type { ComposeQuestion, ComposeResult } from './composer.js';

export type { ComposeQuestion, ComposeResult };

/** Questions asked in the terminal (init's answers, triage's keys and texts); injected so tests type the keys. */
export interface Prompter {
  input(question: { message: string; default?: string; required?: boolean; validate?: (value: string) => true | string }): Promise<string>;
  confirm(question: { message: string; default?: boolean }): Promise<boolean>;
  /** A one-keystroke menu: resolves with the chosen key. */
  key(question: { message: string; choices: readonly KeyChoice[]; hint?: string }): Promise<string>;
  /** The multi-line reply composer (src/io/composer.ts): ends with done, cancel or a wish for $EDITOR. */
  compose(question: ComposeQuestion): Promise<ComposeResult>;
}

export interface TerminalStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/** Inquirer's prompts on the given terminal streams; the prompt modules load on the first question. */
export function terminalPrompter(streams: TerminalStreams): Prompter {
  const context = { input: streams.input, output: streams.output };
  return {
    async input(question) {
      const { input } = await import('@inquirer/prompts');
      return input(question, context);
    },
    async confirm(question) {
      const { confirm } = await import('@inquirer/prompts');
      return confirm(question, context);
    },
    async key(question) {
      const { keyPrompt } = await import('./keys.js');
      return keyPrompt(question, context);
    },
    async compose(question) {
      const { composePrompt } = await import('./composer.js');
      return composePrompt(question, context);
    },
  };
}
