import { describe, expect, it } from 'vitest';
import { renderReportHtml, escapeHtml } from '../../src/report/html.js';
import type { Report } from '../../src/report/build.js';

const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\'`';

function figures() {
  return {
    mentions: 1,
    needingResponse: 1,
    responded: 0,
    handledPrivately: 0,
    responseRate: 0,
    handledRate: 0,
    frt: { p50Minutes: null, p90Minutes: null, meanMinutes: null },
    detectionLag: { meanMinutes: null },
    handling: { meanMinutes: null },
    sla: { met: 0, breached: 1, pending: 0, attainment: 0 },
    expectations: { within30m: 0, within2h: 0, sameDay: 0, within24h: 0 },
  };
}

const report: Report = {
  schemaVersion: 1,
  generatedAt: '2026-11-22T09:00:00+00:00',
  period: { label: HOSTILE, week: null, start: '2026-11-16T00:00:00+00:00', end: '2026-11-23T00:00:00+00:00', timeZone: 'UTC' },
  clock: { kind: 'calendar', description: 'calendar time (24/7)' },
  headline: { ...figures(), openBacklog: 1, oldestOpenAt: null, oldestOpenAgeMinutes: null },
  platforms: [{ platform: HOSTILE, ...figures(), slaTargetMinutes: 30, customerExpectations: { survey: 'twitter', within30m: 0.3 } }],
  groupBy: 'keyword',
  groups: [{ key: HOSTILE, ...figures() }],
  days: [{ day: '2026-11-16', ...figures() }],
  breaches: {
    total: 3,
    worst: [
      { id: 1, platform: 'twitter', url: 'javascript:alert(3)', author: HOSTILE, text: HOSTILE, channel: 'public', status: 'new', category: null, createdAt: '', deadline: '', firstResponseAt: null, overdueMinutes: 5 },
      { id: 2, platform: 'twitter', url: 'https://x.com/a/status/1?q="><script>alert(4)</script>', author: 'a', text: '\u001b]52;c;ZXZpbA==\u0007 clipboard', channel: 'public', status: 'new', category: null, createdAt: '', deadline: '', firstResponseAt: null, overdueMinutes: 5 },
      { id: 3, platform: 'twitter', url: 'https://x.com/ok/status/3', author: 'ok', text: 'fine', channel: 'public', status: 'new', category: null, createdAt: '', deadline: '', firstResponseAt: null, overdueMinutes: 5 },
    ],
  },
  followUps: { count: 0, answered: 0, nextResponse: { p50Minutes: null, p90Minutes: null, meanMinutes: null } },
  backlog: [],
  apiUsage: [],
  private: {
    items: 1,
    needingResponse: 2,
    answeredPublicly: 1,
    answeredPrivately: 1,
    publicResponseRate: 0.5,
    privateResponseRate: 0.5,
    firstPrivateAnswer: { answered: 1, p50Minutes: 12, p90Minutes: 12, meanMinutes: 12 },
    resolution: { resolved: 0, p50Minutes: null, p90Minutes: null, meanMinutes: null },
    platforms: [],
  },
  suggestions: [HOSTILE],
};

describe('HTML report', () => {
  const html = renderReportHtml(report, `Acme ${HOSTILE}`);

  it('renders hostile platform text inert', () => {
    expect(html).not.toMatch(/<script|<img/i);
    // No attribute anywhere inside a tag carries an event handler or a script URL.
    expect(html).not.toMatch(/<[^>]*(\son\w+=|javascript:)/i);
    // Every tag in the document is one the renderer writes itself.
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase()));
    const allowed = ['a', 'body', 'br', 'circle', 'div', 'h1', 'h2', 'head', 'html', 'line', 'meta', 'p', 'polyline', 'rect', 'span', 'style', 'svg', 'table', 'tbody', 'td', 'text', 'th', 'thead', 'title', 'tr'];
    expect([...tags].filter((tag) => !allowed.includes(tag))).toEqual([]);
    // The text survives, escaped.
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#62;&#60;img src=x onerror=alert(2)&#62;&#39;&#96;');
    expect(html).not.toContain('\u001b');
  });

  it('links only http(s) URLs, with quotes escaped', () => {
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['https://x.com/a/status/1?q=%22%3E%3Cscript%3Ealert(4)%3C/script%3E', 'https://x.com/ok/status/3']);
  });

  it('is self-contained: no scripts, no external resources, a CSP that forbids them', () => {
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<[^>]*\ssrc=|<link|@import|url\(/i);
  });

  it('escapes the five HTML specials and the backtick', () => {
    expect(escapeHtml('<>&"\'`')).toBe('&#60;&#62;&#38;&#34;&#39;&#96;');
  });
});
