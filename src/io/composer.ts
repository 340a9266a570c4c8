/**
 * The reply composer: a multi-line text with a live count against the platform's limit. Enter is done
 * (as in a chat box), Alt-Enter or Ctrl-J adds a line (terminals cannot tell Shift-Enter apart), Ctrl-E
 * hands the text to $VISUAL/$EDITOR, Esc cancels (the caller keeps the draft). Ctrl-D is left alone:
 * readline takes it as the end of input. The editing is a pure reducer; the prompt around it is inquirer's.
 */
import { createPrompt, useKeypress, useState } from '@inquirer/core';

export type ComposeAction = 'done' | 'cancel' | 'editor';

export interface ComposeQuestion {
  message: string;
  initial?: string;
  /** The reply channel's own count (graphemes, X's weighting). */
  measure: (text: string) => { length: number; limit: number };
}

export interface ComposeResult {
  action: ComposeAction;
  text: string;
}

export interface Keystroke {
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
  /** The character typed, when printable. */
  sequence?: string;
}

/** One keystroke applied to the text: the new text, or the action that ends the editing. */
export function composeKey(text: string, key: Keystroke): { text: string; action?: ComposeAction } {
  if (key.ctrl && key.name === 'e') return { text, action: 'editor' };
  if (key.name === 'escape') return { text, action: 'cancel' };
  // Ctrl-J arrives as "enter" (a line feed), Enter itself as "return".
  if ((key.name === 'return' && key.meta) || key.name === 'enter' || (key.ctrl && key.name === 'j')) return { text: `${text}\n` };
  if (key.name === 'return') return { text, action: 'done' };
  if (key.name === 'backspace') return { text: Array.from(text).slice(0, -1).join('') };
  if (key.ctrl && key.name === 'u') return { text: text.includes('\n') ? text.slice(0, text.lastIndexOf('\n') + 1) : '' };
  if (key.ctrl) return { text };
  const typed = key.sequence ?? '';
  // Printable input only (pasted text arrives as one sequence); escape sequences of unknown keys are dropped.
  if (typed === '' || /[\x00-\x08\x0b-\x1f\x7f]/.test(typed)) return { text };
  return { text: text + typed.replace(/\r\n?/g, '\n') };
}

/** The status line under the text: count against the limit, and the keys. */
export function composeFooter(count: { length: number; limit: number }): string {
  const over = count.length - count.limit;
  const tally = over > 0 ? `${count.length}/${count.limit} — ${over} too long` : `${count.length}/${count.limit}`;
  return `${tally} · Enter done · Alt-Enter new line · Ctrl-E $EDITOR · Esc cancel`;
}

export const composePrompt = createPrompt<ComposeResult, ComposeQuestion>((config, done) => {
  const [text, setText] = useState(config.initial ?? '');
  const [finished, setFinished] = useState<ComposeAction | null>(null);
  useKeypress((event, rl) => {
    if (finished !== null) return;
    const next = composeKey(text, event as Keystroke);
    // The readline line buffer is not ours: keep it empty so it never echoes.
    rl.clearLine(0);
    if (next.action) {
      setFinished(next.action);
      done({ action: next.action, text: next.text });
    } else setText(next.text);
  });
  const count = config.measure(text);
  if (finished !== null) return `${config.message} ${finished === 'done' ? `${count.length}/${count.limit}` : finished}`;
  return [config.message, text === '' ? '' : text, '', composeFooter(count)].join('\n');
});
