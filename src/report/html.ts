/**
 * The report as one self-contained HTML file (inline CSS and SVG, no scripts, no external requests),
 * fit to attach to an email and to read on a phone: headline figures as tiles that wrap, tables that
 * become one card per row below 700 px (each cell labelled by its column), charts that scale to the
 * width. Every value goes through escapeHtml; links only for http(s) URLs.
 */
import { sanitizeText } from '../io/sanitize.js';
import { privateLine, type Figures, type Report } from './build.js';
import { EXPECTATIONS } from './figures.js';
import { dur, pct, spendLine, volumeLine } from './table.js';

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

/** A table whose cells carry their column's name, so a phone can show each row as a labelled card. */
function table(head: readonly string[], rows: readonly (readonly unknown[])[], raw: ReadonlySet<number> = new Set()): string {
  const body = rows.map(
    (cells) =>
      `<tr>${cells.map((c, i) => `<td data-label="${escapeHtml(head[i] ?? '')}"${raw.has(i) ? ' class="text"' : ''}>${raw.has(i) ? String(c) : escapeHtml(c)}</td>`).join('')}</tr>`,
  );
  return ['<table class="stack"><thead>', row([...head], 'th'), '</thead><tbody>', ...body, '</tbody></table>'].join('\n');
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:2em auto;padding:0 1em;max-width:72em;color:#222;line-height:1.4}',
  'h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em}',
  'p,td{overflow-wrap:anywhere}',
  'table{border-collapse:collapse;margin:.5em 0 1.5em;max-width:100%}',
  'td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}',
  '.text{text-align:left;max-width:40em}.muted{color:#777}.warn{color:#b45f06}',
  '.tiles{display:flex;flex-wrap:wrap;gap:.5em;margin:.5em 0}.tile{border:1px solid #ccc;border-radius:6px;padding:.4em .7em;min-width:7.5em}',
  '.tile .v{display:block;font-size:1.3em;font-weight:600}.tile .k{color:#555;font-size:.85em}',
  '.chart{width:100%;max-width:640px;height:auto;display:block}',
  '.bars{max-width:640px}.bars .b{display:flex;align-items:center;gap:.5em;margin:.3em 0}.bars .l{flex:0 0 6.5em;overflow-wrap:anywhere}',
  '.bars .t{flex:1;background:#eee;height:1.1em;min-width:3em}.bars .f{display:block;height:100%}.bars .n{flex:0 0 auto;font-size:.9em}',
  '@media (max-width:700px){body{margin:1em auto}',
  'table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:auto}table.stack thead{display:none}',
  'table.stack tr{border:1px solid #ccc;border-radius:6px;margin:0 0 .6em;padding:.3em .5em}',
  'table.stack td{border:0;padding:2px 0;text-align:right;max-width:none}table.stack td::before{content:attr(data-label);float:left;color:#666;padding-right:1em}',
  'table.stack td.text{text-align:left}table.stack td.text::before{float:none;display:block}}',
].join('');

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
  const width = 520;
  const height = 240;
  const pad = { left: 40, right: 56, top: 18, bottom: 40 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const step = plotW / Math.max(1, days.length);
  const maxVolume = Math.max(1, ...days.map((d) => d.mentions));
  const maxFrt = Math.max(1, ...days.map((d) => d.frt.p50Minutes ?? 0));
  const parts: string[] = [];
  // Sized by CSS (.chart): the viewBox scales it to the page, down to a phone's width.
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="Daily mentions and median first response time">`);
  parts.push(`<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#999"/>`);
  const points: string[] = [];
  days.forEach((d, i) => {
    const h = (d.mentions / maxVolume) * plotH;
    const x = pad.left + i * step + step * 0.15;
    parts.push(`<rect x="${x.toFixed(1)}" y="${(pad.top + plotH - h).toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#6aa84f"><title>${escapeHtml(`${d.day}: ${d.mentions} mentions`)}</title></rect>`);
    // Every day labelled on a week; on longer periods every few days, so the labels stay apart.
    if (i % Math.max(1, Math.ceil(days.length / 8)) === 0) {
      parts.push(`<text x="${(x + step * 0.35).toFixed(1)}" y="${pad.top + plotH + 16}" font-size="12" text-anchor="middle">${escapeHtml(d.day.slice(5))}</text>`);
    }
    if (d.frt.p50Minutes !== null) {
      const y = pad.top + plotH - (d.frt.p50Minutes / maxFrt) * plotH;
      points.push(`${(x + step * 0.35).toFixed(1)},${y.toFixed(1)}`);
      parts.push(`<circle cx="${(x + step * 0.35).toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="#3d85c6"><title>${escapeHtml(`${d.day}: median FRT ${dur(d.frt.p50Minutes)}`)}</title></circle>`);
    }
  });
  if (points.length > 1) parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="#3d85c6" stroke-width="2"/>`);
  parts.push(`<text x="${pad.left - 4}" y="${pad.top + 8}" font-size="12" text-anchor="end">${escapeHtml(maxVolume)}</text>`);
  parts.push(`<text x="${pad.left + plotW + 4}" y="${pad.top + 8}" font-size="12" fill="#3d85c6">${escapeHtml(dur(maxFrt))}</text>`);
  parts.push(`<text x="${pad.left}" y="${height - 4}" font-size="12" fill="#6aa84f">■ mentions</text>`);
  parts.push(`<text x="${pad.left + 100}" y="${height - 4}" font-size="12" fill="#3d85c6">● median first response</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** SLA attainment per platform as horizontal bars, in HTML so the labels keep their size on a phone. */
function slaChart(report: Report): string {
  const parts = ['<div class="bars" role="img" aria-label="SLA attainment per platform">'];
  for (const p of report.platforms) {
    const share = p.sla.attainment ?? 0;
    const colour = share >= 0.9 ? '#6aa84f' : share >= 0.6 ? '#f1c232' : '#cc0000';
    parts.push(
      `<div class="b"><span class="l">${escapeHtml(p.platform)}</span><span class="t"><span class="f" style="width:${(100 * share).toFixed(1)}%;background:${colour}"></span></span><span class="n">${escapeHtml(`${pct(p.sla.attainment)} within ${dur(p.slaTargetMinutes)}`)}</span></div>`,
    );
  }
  parts.push('</div>');
  return parts.join('');
}

export function renderReportHtml(report: Report, brand: string): string {
  const h = report.headline;
  const s: string[] = [];
  s.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  s.push('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">');
  s.push(`<title>${escapeHtml(`${brand} — response-time report ${report.period.week ?? report.period.label}`)}</title>`);
  s.push(`<style>${STYLE}</style>`);
  s.push('</head><body>');
  s.push(`<h1>${escapeHtml(`${brand} — response-time report`)}</h1>`);
  s.push(`<p>${escapeHtml(`${report.period.label}, ${report.period.timeZone}`)}<br><span class="muted">${escapeHtml(`Clock: ${report.clock.description}. Generated ${report.generatedAt}.`)}</span></p>`);

  const tiles = [...FIGURE_HEAD, 'open now', 'oldest open'];
  const values = [...figureCells(h), String(h.openBacklog), h.oldestOpenAgeMinutes === null ? '—' : dur(h.oldestOpenAgeMinutes)];
  s.push('<h2>Headline</h2><div class="tiles">', ...tiles.map((k, i) => `<div class="tile"><span class="v">${escapeHtml(values[i])}</span><span class="k">${escapeHtml(k)}</span></div>`), '</div>');
  s.push(`<p class="muted">${escapeHtml(`${h.handledPrivately} handled privately or resolved without a reply (handled rate ${pct(h.handledRate)}).`)}</p>`);

  s.push(`<h2>${escapeHtml(`By ${report.groupBy}`)}</h2>`, table([report.groupBy, ...FIGURE_HEAD], report.groups.map((g) => [g.key, ...figureCells(g)])));

  s.push('<h2>Daily volume and median first response</h2>', dailyChart(report));
  if (report.platforms.length > 0) {
    s.push('<h2>SLA attainment</h2>', slaChart(report));
    s.push('<h2>Answered within customer expectations</h2><p class="muted">Ours, with the share of customers expecting it in brackets.</p>');
    s.push(
      table(
        ['platform', ...EXPECTATIONS.map((e) => e.label)],
        report.platforms.map((p) => {
          const theirs = p.customerExpectations;
          return [
            theirs.survey === p.platform ? p.platform : `${p.platform} (vs ${theirs.survey} survey)`,
            ...EXPECTATIONS.map((e) => `${pct(p.expectations[e.key])}${theirs[e.key] === undefined ? '' : ` (${pct(theirs[e.key])})`}`),
          ];
        }),
      ),
    );
    s.push(
      '<h2>Where the wait goes (means: FRT = detection lag + handling)</h2>',
      table(['platform', 'SLA target', 'FRT', 'detection lag', 'handling'], report.platforms.map((p) => [p.platform, dur(p.slaTargetMinutes), dur(p.frt.meanMinutes), dur(p.detectionLag.meanMinutes), dur(p.handling.meanMinutes)])),
    );
  }
  for (const line of report.suggestions) s.push(`<p class="warn">${escapeHtml(`→ ${line}`)}</p>`);

  s.push(`<h2>${escapeHtml(`SLA breaches: ${report.breaches.total}`)}</h2>`);
  if (report.breaches.worst.length > 0) {
    s.push(
      table(
        ['id', 'platform', 'over by', 'status', 'author', 'text'],
        report.breaches.worst.map((b) => {
          const href = safeHref(b.url);
          const text = b.text ?? '(direct message — text left out; --include-private shows it)';
          return [b.id, b.platform, dur(b.overdueMinutes), b.status, `@${b.author}`, href ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text)];
        }),
        new Set([5]),
      ),
    );
  }
  s.push('<h2>Private channel</h2>', `<p>${escapeHtml(privateLine(report.private))}</p>`);
  const f = report.followUps;
  s.push('<h2>Follow-ups after our reply</h2>');
  s.push(`<p>${escapeHtml(`${f.count} follow-ups, ${f.answered} answered; next-response time p50 ${dur(f.nextResponse.p50Minutes)}, p90 ${dur(f.nextResponse.p90Minutes)}.`)}</p>`);
  if (report.apiUsage.length > 0) {
    s.push(
      '<h2>API use</h2>',
      table(
        ['source', 'requests', 'posts read', 'month so far', 'budget', 'projected month end'],
        report.apiUsage.map((u) => [u.source, u.requests, u.postsRead, u.monthPostsRead, u.monthlyReadBudget ?? '—', `${u.projectedMonthPostsRead}${u.projectedShareOfBudget === null ? '' : ` (${pct(u.projectedShareOfBudget)})`}`]),
      ),
    );
    for (const u of report.apiUsage.filter((u) => u.monthSpend !== null)) s.push(`<p>${escapeHtml(spendLine(u))}</p>`);
    for (const u of report.apiUsage.filter((u) => u.countedVolume !== null)) s.push(`<p>${escapeHtml(volumeLine(u))}</p>`);
  }
  s.push('</body></html>', '');
  return s.join('\n');
}
