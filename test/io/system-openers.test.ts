/** The real editor and browser openers, which load child_process only when used. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemBrowser } from '../../src/io/browser.js';
import { systemEditor } from '../../src/io/editor.js';

describe('the system openers', () => {
  it('name the editor that failed, keeping the draft', async () => {
    await expect(systemEditor({ PATH: process.env.PATH, VISUAL: 'false' })('the draft')).rejects.toThrow(/the editor `false` did not finish.*the draft is kept/);
  });

  it('give the editor its own arguments and then the file, as its one last argument, and return what it saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-editor-'));
    try {
      const editor = join(dir, 'fake editor');
      const seen = join(dir, 'arguments');
      // Records its arguments, one per line, and appends to the file it was given (the last one).
      writeFileSync(editor, `#!/bin/sh\nprintf '%s\\n' "$@" > '${seen}'\nfor last; do :; done\nprintf ' and more\\n' >> "$last"\n`);
      chmodSync(editor, 0o700);
      const edited = await systemEditor({ PATH: process.env.PATH, VISUAL: `'${editor}' --wait` })('the draft');
      expect(edited).toBe('the draft and more');
      const args = readFileSync(seen, 'utf8').split('\n').slice(0, -1);
      expect(args).toHaveLength(2);
      expect(args[0]).toBe('--wait');
      expect(args[1]).toMatch(/brandwatch-reply-.*reply\.txt$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hand a link to $BROWSER without waiting for it', () => {
    expect(systemBrowser({ PATH: process.env.PATH, BROWSER: 'true' })('https://example.com/post/1')).toBe(true);
  });
});
