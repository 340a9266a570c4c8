/** The report in the terminal: gh-style columns fitted to the width, colour only when the IO allows it, untrusted text sanitised. */
import { formatMoney } from '../metrics/cost.js';
import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../config/duration.js';
import { sanitizeLine } from '../io/sanitize.js';
import { renderPairs, renderTable, type Cell, type Column } from '../io/table.js';
import { truncateWidth, wrapWidth } from '../io/width.js';
import { privateLine, type Figures, type Report } from './build.js';
import { EXPECTATIONS } from './figures.js';

export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value * 100)}%`;
}

export function dur(minutes: number | null): string {
  return minutes === null ? '—' : formatDuration(minutes * 60_000);
}

const BLOCKS = ' ▏▎▍▌▋▊▉█';

/** A horizontal bar of `width` cells for value/max, in eighths. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + (eighths % 8 ? BLOCKS[eighths % 8] : '');
}

const n = (value: number) => value.toLocaleString('en');

function figureRow(label: string, f: Figures, color: ChalkInstance): Cell[] {
  return [
    label,
    n(f.mentions),
    n(f.needingResponse),
    n(f.responded),
    n(f.handledPrivately),
    pct(f.responseRate),
    dur(f.frt.p50Minutes),
    dur(f.frt.p90Minutes),
    dur(f.frt.meanMinutes),
    pct(f.sla.attainment),
    f.sla.breached > 0 ? { text: n(f.sla.breached), color: color.red } : '0',
  ];
}

/** Numbers right-aligned; the less telling columns give way first on a narrow terminal. */
function figureColumns(key: string): Column[] {
  return [
    { header: key, shrink: true, min: 8 },
    { header: 'mentions', align: 'right' },
    { header: 'needing', align: 'right' },
    { header: 'responded', align: 'right', optional: true },
    { header: 'private', align: 'right', optional: true },
    { header: 'rate', align: 'right' },
    { header: 'FRT p50', align: 'right' },
    { header: 'FRT p90', align: 'right' },
    { header: 'FRT mean', align: 'right', optional: true },
    { header: 'SLA met', align: 'right' },
    { header: 'breaches', align: 'right' },
  ];
}

export interface ReportTableOptions {
  /** The terminal's width in cells. */
  columns?: number;
  /** A brandwatch command line for a hint, carrying the person's --config and --db (Context.invocation). */
  invocation?: (...args: string[]) => string;
}

export function renderReportTable(report: Report, color: ChalkInstance, options: ReportTableOptions | number = {}): string {
  const { columns = 100, invocation = (...args: string[]) => ['brandwatch', ...args].join(' ') } = typeof options === 'number' ? { columns: options } : options;
  const width = Math.max(20, columns);
  const out: string[] = [];
  const h = report.headline;
  const title = (text: string) => out.push('', color.bold.underline(truncateWidth(text, width)));
  const prose = (text: string, paint: (t: string) => string = (t) => t) => out.push(paint(wrapWidth(text, width)));
  const table = (cols: readonly Column[], rows: readonly (readonly Cell[])[]) => renderTable(cols, rows, { width, header: color.bold });

  prose(`Response-time report — ${report.period.label}, ${report.period.timeZone}`, color.bold);
  prose(`Clock: ${report.clock.description}. Generated ${report.generatedAt}.`);

  title('Headline');
  const headline: [string, Cell][] = [
    ['mentions', n(h.mentions)],
    ['needing a response', n(h.needingResponse)],
    ['responded', n(h.responded)],
    ['private or resolved', n(h.handledPrivately)],
    ['response rate', pct(h.responseRate)],
    ['FRT p50', dur(h.frt.p50Minutes)],
    ['FRT p90', dur(h.frt.p90Minutes)],
    ['FRT mean', dur(h.frt.meanMinutes)],
    ['SLA met', pct(h.sla.attainment)],
    ['SLA breaches', h.sla.breached > 0 ? { text: n(h.sla.breached), color: color.red } : '0'],
    ['open now', n(h.openBacklog)],
    ['oldest open', h.oldestOpenAgeMinutes === null ? '—' : dur(h.oldestOpenAgeMinutes)],
  ];
  out.push(renderPairs(headline, width, color.dim));
  prose(`Response rate = responded ÷ needing a response; ${h.handledPrivately} handled privately or resolved without a reply (handled rate ${pct(h.handledRate)}).`, color.dim);

  title(`By ${report.groupBy}`);
  if (report.groups.length === 0) out.push(color.dim('no mentions in this period'));
  else out.push(table(figureColumns(report.groupBy), report.groups.map((g) => figureRow(sanitizeLine(g.key), g, color))));

  if (report.platforms.length > 0) {
    title('Answered within customer expectations (ours vs customers expecting it)');
    out.push(
      table(
        [{ header: 'platform', shrink: true, min: 8 }, ...EXPECTATIONS.map((e): Column => ({ header: e.label, align: 'right' }))],
        report.platforms.map((p) => {
          const theirs = p.customerExpectations;
          return [
            p.platform + (theirs.survey !== p.platform ? ` (vs ${theirs.survey} survey)` : ''),
            ...EXPECTATIONS.map((e): Cell => {
              const expected = theirs[e.key];
              return `${pct(p.expectations[e.key])}${expected === undefined ? '' : ` (${pct(expected)})`}`;
            }),
          ];
        }),
      ),
    );

    title('Where the wait goes (means: FRT = detection lag + handling)');
    out.push(
      table(
        [{ header: 'platform', shrink: true, min: 8 }, ...['SLA target', 'FRT', 'detection lag', 'handling', 'lag share'].map((header): Column => ({ header, align: 'right' }))],
        report.platforms.map((p) => {
          const lag = p.detectionLag.meanMinutes;
          const frt = p.frt.meanMinutes;
          return [p.platform, dur(p.slaTargetMinutes), dur(frt), dur(lag), dur(p.handling.meanMinutes), lag !== null && frt ? pct(Math.min(1, lag / frt)) : '—'];
        }),
      ),
    );
  }
  for (const s of report.suggestions) prose(`→ ${s}`, color.yellow);

  title(`SLA breaches: ${report.breaches.total}`);
  if (report.breaches.worst.length > 0) {
    out.push(
      table(
        [
          { header: 'id', align: 'right' },
          { header: 'platform' },
          { header: 'over by', align: 'right' },
          { header: 'status' },
          { header: 'author', shrink: true, min: 10 },
          { header: 'text', shrink: true, min: 12 },
        ],
        report.breaches.worst.map((b) => [
          String(b.id),
          b.platform,
          { text: dur(b.overdueMinutes), color: color.red },
          b.status,
          `@${sanitizeLine(b.author)}`,
          b.text === null ? '(direct message)' : sanitizeLine(b.text),
        ]),
      ),
    );
    // A command to copy stays whole, whatever the width.
    out.push(color.dim(`All of them: ${invocation('list', '--breached', '--since', report.period.start.slice(0, 10))}`));
  }

  title('Private channel');
  prose(privateLine(report.private));

  title('Follow-ups after our reply');
  const f = report.followUps;
  if (f.count === 0) out.push(color.dim('none in this period'));
  else prose(`${f.count} follow-up${f.count === 1 ? '' : 's'}, ${f.answered} answered; next-response time p50 ${dur(f.nextResponse.p50Minutes)}, p90 ${dur(f.nextResponse.p90Minutes)}, mean ${dur(f.nextResponse.meanMinutes)}`);

  if (report.apiUsage.length > 0) {
    title('API use');
    out.push(
      table(
        [
          { header: 'source', shrink: true, min: 8 },
          { header: 'requests', align: 'right' },
          { header: 'posts read', align: 'right' },
          { header: 'month so far', align: 'right' },
          { header: 'budget', align: 'right' },
          { header: 'projected month end', align: 'right' },
        ],
        report.apiUsage.map((u) => {
          const projected = `${n(u.projectedMonthPostsRead)}${u.projectedShareOfBudget !== null ? ` (${pct(u.projectedShareOfBudget)})` : ''}`;
          return [
            u.source,
            n(u.requests),
            n(u.postsRead),
            n(u.monthPostsRead),
            u.monthlyReadBudget === null ? '—' : n(u.monthlyReadBudget),
            u.projectedShareOfBudget !== null && u.projectedShareOfBudget > 1 ? { text: projected, color: color.red } : projected,
          ];
        }),
      ),
    );
    for (const u of report.apiUsage.filter((u) => u.monthSpend !== null)) out.push(spendLine(u));
    for (const u of report.apiUsage.filter((u) => u.countedVolume !== null)) out.push(volumeLine(u));
  }

  title('Daily volume and median first response');
  out.push(renderDailyChart(report, color, width));
  return out.join('\n');
}

/** One line per day: a volume bar and a median-FRT bar, each scaled to the period's largest. */
export function renderDailyChart(report: Report, color: ChalkInstance, columns = 80): string {
  const maxVolume = Math.max(0, ...report.days.map((d) => d.mentions));
  const maxFrt = Math.max(0, ...report.days.map((d) => d.frt.p50Minutes ?? 0));
  const lines: string[] = [];
  // Label 14, count 5, FRT text up to 7, three gaps: the rest is bars, 3:2 between volume and FRT.
  const room = Math.max(10, Math.min(70, columns - 14 - 5 - 7 - 4));
  const width = Math.floor((room * 3) / 5);
  const frtWidth = room - width;
  lines.push(color.dim(`${'day'.padEnd(14)} ${'mentions'.padEnd(width + 5)} median FRT`));
  for (const d of report.days) {
    const date = new Date(`${d.day}T00:00:00Z`);
    const label = `${date.toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' })} ${d.day}`;
    const volume = `${bar(d.mentions, maxVolume, width).padEnd(width)} ${String(d.mentions).padStart(4)}`;
    const frt = d.frt.p50Minutes === null ? color.dim('—') : `${color.cyan(bar(d.frt.p50Minutes, maxFrt, frtWidth))} ${dur(d.frt.p50Minutes)}`;
    lines.push(`${label.padEnd(14)} ${color.green(volume)} ${frt}`);
  }
  return lines.join('\n');
}

/** The platform's own count beside what was read: volume without paying a read per post. */
/** What a billed source cost: in the period, this month against its budget, and projected to month end. */
export function spendLine(u: Report['apiUsage'][number]): string {
  const budget = u.monthlyBudget !== null ? ` of ${formatMoney(u.monthlyBudget)}` : '';
  return `${u.source} spend: ${formatMoney(u.spend ?? 0)} in this period; ${formatMoney(u.monthSpend ?? 0)}${budget} this month, projected ${formatMoney(u.projectedMonthSpend ?? 0)} by month end`;
}

export function volumeLine(u: Report['apiUsage'][number]): string {
  return `${u.source} volume: ${u.countedVolume!.toLocaleString('en')} posts counted by the platform in this period (${u.postsRead.toLocaleString('en')} read)`;
}
