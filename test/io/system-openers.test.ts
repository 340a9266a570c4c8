/** The real editor and browser openers, which load child_process only when used. */
import { describe, expect, it } from 'vitest';
import { systemBrowser } from '../../src/io/browser.js';
import { systemEditor } from '../../src/io/editor.js';

describe('the system openers', () => {
  it('name the editor that failed, keeping the draft', async () => {
    await expect(systemEditor({ PATH: process.env.PATH, VISUAL: 'false' })('the draft')).rejects.toThrow(/the editor `false` did not finish.*the draft is kept/);
  });

  it('hand a link to $BROWSER without waiting for it', () => {
    expect(systemBrowser({ PATH: process.env.PATH, BROWSER: 'true' })('https://example.com/post/1')).toBe(true);
  });
});
