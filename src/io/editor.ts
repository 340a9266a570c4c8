import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

/** Edits a text in the person's editor and returns what they saved; injected through the context. */
export type TextEditor = (text: string) => Promise<string>;

/**
 * `$VISUAL`, else `$EDITOR`, else vi, on a private temp file (the command may carry arguments, as
 * `code --wait` does). The terminal is the editor's until it exits.
 */
export function systemEditor(env: NodeJS.ProcessEnv): TextEditor {
  return async (text) => {
    // On first use, not on import (the context, which every command gets, imports this module).
    const { spawnSync } = await import('node:child_process');
    const command = (env.VISUAL || env.EDITOR || 'vi').trim();
    const dir = mkdtempSync(join(tmpdir(), 'brandwatch-reply-'));
    const file = join(dir, 'reply.txt');
    try {
      writeFileSync(file, text, { mode: 0o600 });
      // The shell splits the command's own arguments; the file is its one positional argument, never re-split.
      const result = spawnSync('/bin/sh', ['-c', `${command} "$1"`, 'brandwatch-editor', file], { stdio: 'inherit', env });
      if (result.error || result.status !== 0) {
        throw new UsageError(`the editor \`${command}\` did not finish (${result.error?.message ?? `exit ${result.status}`}); set $VISUAL or $EDITOR — the draft is kept`);
      }
      // Editors end files with a newline the person did not type.
      return readFileSync(file, 'utf8').replace(/\n+$/, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
