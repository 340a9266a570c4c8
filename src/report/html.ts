/**
 * The report as one self-contained HTML file (inline CSS and SVG, no scripts, no external requests),
 * fit to attach to an email. Every value goes through escapeHtml; links only for http(s) URLs.
 */
import { sanitizeText } from '../io/sanitize.js';
import type { Figures, Report } from './build.js';
import { EXPECTATIONS } from './figures.js';
import { dur, pct, volumeLine } from './table.js';

export function escapeHtml(value: unknown): string {
  return sanitizeText(String(value ?? '')).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function safeHref(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function row(cells: unknown[], tag = 'td'): string {
  return `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
}

const FIGURE_HEAD = ['mentions', 'needing', 'responded', 'private', 'rate', 'FRT p50', 'FRT p90', 'FRT mean', 'SLA met', 'breaches'];

function figureCells(f: Figures): string[] {
  return [
    String(f.mentions),
    String(f.needingResponse),
    String(f.responded),
    String(f.handledPrivately),
    pct(f.responseRate),
    dur(f.frt.p50Minutes),
    dur(f.frt.p90Minutes),
    dur(f.frt.meanMinutes),
    pct(f.sla.attainment),
    String(f.sla.breached),
  ];
}

/** Bars of daily volume with the daily median FRT as a line, both scaled to the period. */
function dailyChart(report: Report): string {
  const days = report.days;
  const width = 640;
  const height = 220;
  const pad = { left: 40, right: 50, top: 16, bottom: 36 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const step = plotW / Math.max(1, days.length);
  const maxVolume = Math.max(1, ...days.map((d) => d.mentions));
  const maxFrt = Math.max(1, ...days.map((d) => d.frt.p50Minutes ?? 0));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Daily mentions and median first response time">`);
  parts.push(`<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#999"/>`);
  const points: string[] = [];
  days.forEach((d, i) => {
    const h = (d.mentions / maxVolume) * plotH;
    const x = pad.left + i * step + step * 0.15;
    parts.push(`<rect x="${x.toFixed(1)}" y="${(pad.top + plotH - h).toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#6aa84f"><title>${escapeHtml(`${d.day}: ${d.mentions} mentions`)}</title></rect>`);
    parts.push(`<text x="${(x + step * 0.35).toFixed(1)}" y="${pad.top + plotH + 14}" font-size="10" text-anchor="middle">${escapeHtml(d.day.slice(5))}</text>`);
    if (d.frt.p50Minutes !== null) {
      const y = pad.top + plotH - (d.frt.p50Minutes / maxFrt) * plotH;
      points.push(`${(x + step * 0.35).toFixed(1)},${y.toFixed(1)}`);
      parts.push(`<circle cx="${(x + step * 0.35).toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="#3d85c6"><title>${escapeHtml(`${d.day}: median FRT ${dur(d.frt.p50Minutes)}`)}</title></circle>`);
    }
  });
  if (points.length > 1) parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="#3d85c6" stroke-width="2"/>`);
  parts.push(`<text x="${pad.left - 4}" y="${pad.top + 8}" font-size="10" text-anchor="end">${escapeHtml(maxVolume)}</text>`);
  parts.push(`<text x="${pad.left + plotW + 4}" y="${pad.top + 8}" font-size="10" fill="#3d85c6">${escapeHtml(dur(maxFrt))}</text>`);
  parts.push(`<text x="${pad.left}" y="${height - 4}" font-size="10" fill="#6aa84f">■ mentions</text>`);
  parts.push(`<text x="${pad.left + 90}" y="${height - 4}" font-size="10" fill="#3d85c6">● median first response</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** SLA attainment per platform as horizontal bars. */
function slaChart(report: Report): string {
  const rows = report.platforms;
  const height = 24 * rows.length + 10;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="640" height="${height}" viewBox="0 0 640 ${height}" role="img" aria-label="SLA attainment per platform">`];
  rows.forEach((p, i) => {
    const share = p.sla.attainment ?? 0;
    const y = 5 + i * 24;
    parts.push(`<text x="110" y="${y + 14}" font-size="12" text-anchor="end">${escapeHtml(p.platform)}</text>`);
    parts.push(`<rect x="120" y="${y}" width="400" height="18" fill="#eee"/>`);
    parts.push(`<rect x="120" y="${y}" width="${(400 * share).toFixed(1)}" height="18" fill="${share >= 0.9 ? '#6aa84f' : share >= 0.6 ? '#f1c232' : '#cc0000'}"/>`);
    parts.push(`<text x="528" y="${y + 14}" font-size="12">${escapeHtml(`${pct(p.sla.attainment)} within ${dur(p.slaTargetMinutes)}`)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function renderReportHtml(report: Report, brand: string): string {
  const h = report.headline;
  const s: string[] = [];
  s.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">');
  s.push('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">');
  s.push(`<title>${escapeHtml(`${brand} — response-time report ${report.period.week ?? report.period.label}`)}</title>`);
  s.push(
    '<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.text{text-align:left;max-width:40em}.muted{color:#777}.warn{color:#b45f06}</style>',
  );
  s.push('</head><body>');
  s.push(`<h1>${escapeHtml(`${brand} — response-time report`)}</h1>`);
  s.push(`<p>${escapeHtml(`${report.period.label}, ${report.period.timeZone}`)}<br><span class="muted">${escapeHtml(`Clock: ${report.clock.description}. Generated ${report.generatedAt}.`)}</span></p>`);

  s.push('<h2>Headline</h2><table>', row(['', ...FIGURE_HEAD, 'open now', 'oldest open'], 'th'));
  s.push(row(['all', ...figureCells(h), h.openBacklog, h.oldestOpenAgeMinutes === null ? '—' : dur(h.oldestOpenAgeMinutes)]), '</table>');
  s.push(`<p class="muted">${escapeHtml(`${h.handledPrivately} handled privately or resolved without a reply (handled rate ${pct(h.handledRate)}).`)}</p>`);

  s.push(`<h2>${escapeHtml(`By ${report.groupBy}`)}</h2><table>`, row([report.groupBy, ...FIGURE_HEAD], 'th'));
  for (const g of report.groups) s.push(row([g.key, ...figureCells(g)]));
  s.push('</table>');

  s.push('<h2>Daily volume and median first response</h2>', dailyChart(report));
  if (report.platforms.length > 0) {
    s.push('<h2>SLA attainment</h2>', slaChart(report));
    s.push('<h2>Answered within customer expectations</h2><p class="muted">Ours, with the share of customers expecting it in brackets.</p><table>');
    s.push(row(['platform', ...EXPECTATIONS.map((e) => e.label)], 'th'));
    for (const p of report.platforms) {
      const theirs = p.customerExpectations;
      s.push(
        row([
          theirs.survey === p.platform ? p.platform : `${p.platform} (vs ${theirs.survey} survey)`,
          ...EXPECTATIONS.map((e) => `${pct(p.expectations[e.key])}${theirs[e.key] === undefined ? '' : ` (${pct(theirs[e.key])})`}`),
        ]),
      );
    }
    s.push('</table>');
    s.push('<h2>Where the wait goes (means: FRT = detection lag + handling)</h2><table>', row(['platform', 'SLA target', 'FRT', 'detection lag', 'handling'], 'th'));
    for (const p of report.platforms) s.push(row([p.platform, dur(p.slaTargetMinutes), dur(p.frt.meanMinutes), dur(p.detectionLag.meanMinutes), dur(p.handling.meanMinutes)]));
    s.push('</table>');
  }
  for (const line of report.suggestions) s.push(`<p class="warn">${escapeHtml(`→ ${line}`)}</p>`);

  s.push(`<h2>${escapeHtml(`SLA breaches: ${report.breaches.total}`)}</h2>`);
  if (report.breaches.worst.length > 0) {
    s.push('<table>', row(['id', 'platform', 'over by', 'status', 'author', 'text'], 'th'));
    for (const b of report.breaches.worst) {
      const href = safeHref(b.url);
      const text = href ? `<a href="${escapeHtml(href)}">${escapeHtml(b.text)}</a>` : escapeHtml(b.text);
      s.push(
        `<tr><td>${escapeHtml(b.id)}</td><td>${escapeHtml(b.platform)}</td><td>${escapeHtml(dur(b.overdueMinutes))}</td><td>${escapeHtml(b.status)}</td><td>${escapeHtml(`@${b.author}`)}</td><td class="text">${text}</td></tr>`,
      );
    }
    s.push('</table>');
  }
  const f = report.followUps;
  s.push('<h2>Follow-ups after our reply</h2>');
  s.push(`<p>${escapeHtml(`${f.count} follow-ups, ${f.answered} answered; next-response time p50 ${dur(f.nextResponse.p50Minutes)}, p90 ${dur(f.nextResponse.p90Minutes)}.`)}</p>`);
  if (report.apiUsage.length > 0) {
    s.push('<h2>API use</h2><table>', row(['source', 'requests', 'posts read', 'month so far', 'budget', 'projected month end'], 'th'));
    for (const u of report.apiUsage) {
      s.push(row([u.source, u.requests, u.postsRead, u.monthPostsRead, u.monthlyReadBudget ?? '—', `${u.projectedMonthPostsRead}${u.projectedShareOfBudget === null ? '' : ` (${pct(u.projectedShareOfBudget)})`}`]));
    }
    s.push('</table>');
    for (const u of report.apiUsage.filter((u) => u.countedVolume !== null)) s.push(`<p>${escapeHtml(volumeLine(u))}</p>`);
  }
  s.push('</body></html>', '');
  return s.join('\n');
}
