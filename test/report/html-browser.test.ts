import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { configText } from '../helpers/config.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run.js';
import { Browser, findChromium } from '../helpers/chromium.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const chromium = findChromium();
if (!chromium) console.log('html-browser: chromium is not installed (apt-get install -y chromium); the phone and desktop layout checks are skipped');

/** What a reader would hit: the page wider than the screen, or any element running past its right edge. */
const OVERFLOW = `(() => {
  const vw = window.innerWidth;
  const past = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > vw + 0.5).map((e) => e.tagName + '.' + (e.getAttribute('class') || '') + ': ' + (e.textContent || '').slice(0, 40));
  return { vw, scrollWidth: document.documentElement.scrollWidth, past: past.slice(0, 5), tables: document.querySelectorAll('table').length };
})()`;

describe.skipIf(!chromium)('HTML report in a browser', () => {
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.yml'),
      configText({
        brand: 'Fernhill',
        keywords: ['fernhill', '@fernhill_help'],
        sources: [{ platform: 'sample', start: '2026-11-06T12:00:00Z', ratePerHour: 2 }],
        extra: 'sla:\n  sample: 1h\n  default: 24h',
      }),
      { mode: 0o600 },
    );
    const run = (args: string[]) => runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { now: NOW });
    expect((await run(['poll', '-q'])).code).toBe(0);
    // A long unbroken word and a long URL in the worst breach: the cases that push a page sideways.
    const db = new Database(join(dir, 'bw.db'));
    db.prepare("UPDATE mentions SET text = ?, url = ? WHERE id = (SELECT id FROM mentions WHERE status = 'new' ORDER BY created_at LIMIT 1)").run(
      `Fernhill ${'supercalifragilistic'.repeat(6)} down 😡 東京都渋谷区`,
      `https://social.example/${'x'.repeat(120)}`,
    );
    db.close();
    const out = join(dir, 'report.html');
    const result = await run(['report', '--since', '14d', '--format', 'html', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('name="viewport"');
    url = pathToFileURL(out).href;
    browser = new Browser(chromium!);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it.each([375, 700, 1280])('at %i px nothing runs past the right edge', async (width) => {
    const seen = await browser.measure<{ vw: number; scrollWidth: number; past: string[]; tables: number }>(url, width, OVERFLOW);
    expect(seen.vw).toBe(width);
    expect(seen.tables).toBeGreaterThan(2);
    expect(seen.past, `elements past ${width}px`).toEqual([]);
    expect(seen.scrollWidth).toBeLessThanOrEqual(width);
  }, 30_000);

  it('on a phone each table row is a card whose cells are labelled; on a desktop a table', async () => {
    const layout = `(() => { const td = document.querySelector('table.stack td'); return { display: getComputedStyle(td).display, label: getComputedStyle(td, '::before').content, head: getComputedStyle(document.querySelector('table.stack thead')).display }; })()`;
    const phone = await browser.measure<{ display: string; label: string; head: string }>(url, 375, layout);
    expect(phone.display).toBe('block');
    expect(phone.head).toBe('none');
    expect(phone.label).not.toBe('none');
    const desktop = await browser.measure<{ display: string; head: string }>(url, 1280, layout);
    expect(desktop.display).toBe('table-cell');
    expect(desktop.head).not.toBe('none');
  }, 30_000);

  it('the charts scale to the width and the SLA labels stay whole', async () => {
    const charts = `(() => ({ svg: document.querySelector('svg.chart').getBoundingClientRect().width, labels: [...document.querySelectorAll('.bars .n')].map((e) => e.getBoundingClientRect().right <= innerWidth) }))()`;
    const phone = await browser.measure<{ svg: number; labels: boolean[] }>(url, 375, charts);
    expect(phone.svg).toBeLessThanOrEqual(375);
    expect(phone.svg).toBeGreaterThan(250);
    expect(phone.labels.length).toBeGreaterThan(0);
    expect(phone.labels.every(Boolean)).toBe(true);
    const desktop = await browser.measure<{ svg: number }>(url, 1280, charts);
    expect(desktop.svg).toBe(640);
  }, 30_000);
});
