import { formatMoney } from '../metrics/cost.js';
/** The report in the terminal: cli-table3 tables, colour only when the IO allows it, untrusted text sanitised. */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../config/duration.js';
import { sanitizeLine, truncate } from '../io/sanitize.js';
import type { Figures, Report } from './build.js';
import { EXPECTATIONS } from './figures.js';

export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value * 100)}%`;
}

export function dur(minutes: number | null): string {
  return minutes === null ? '—' : formatDuration(minutes * 60_000);
}

function table(color: ChalkInstance, head: string[]): Table.Table {
  return new Table({ head: head.map((h) => color.bold(h)), style: { head: [], border: [] }, wordWrap: false });
}

const BLOCKS = ' ▏▎▍▌▋▊▉█';

/** A horizontal bar of `width` cells for value/max, in eighths. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + (eighths % 8 ? BLOCKS[eighths % 8] : '');
}

function figureRow(label: string, f: Figures): string[] {
  return [
    label,
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

const FIGURE_HEAD = ['mentions', 'needing', 'responded', 'private', 'rate', 'FRT p50', 'FRT p90', 'FRT mean', 'SLA met', 'breaches'];

export function renderReportTable(report: Report, color: ChalkInstance, columns = 100): string {
  const out: string[] = [];
  const h = report.headline;
  const title = (text: string) => out.push('', color.bold.underline(text));

  out.push(color.bold(`Response-time report — ${report.period.label}, ${report.period.timeZone}`));
  out.push(`Clock: ${report.clock.description}. Generated ${report.generatedAt}.`);

  title('Headline');
  const headline = table(color, ['', ...FIGURE_HEAD, 'open now', 'oldest open']);
  headline.push([...figureRow('all', h), String(h.openBacklog), h.oldestOpenAgeMinutes === null ? '—' : dur(h.oldestOpenAgeMinutes)]);
  out.push(headline.toString());
  out.push(
    color.dim(
      `Response rate = responded ÷ needing a response; ${h.handledPrivately} handled privately or resolved without a reply (handled rate ${pct(h.handledRate)}).`,
    ),
  );

  title(`By ${report.groupBy}`);
  const groups = table(color, [report.groupBy, ...FIGURE_HEAD]);
  for (const g of report.groups) groups.push(figureRow(truncate(sanitizeLine(g.key), 24), g));
  if (report.groups.length === 0) groups.push([{ colSpan: FIGURE_HEAD.length + 1, content: color.dim('no mentions in this period') }]);
  out.push(groups.toString());

  if (report.platforms.length > 0) {
    title('Answered within customer expectations (ours vs customers expecting it)');
    const expect = table(color, ['platform', ...EXPECTATIONS.map((e) => e.label)]);
    for (const p of report.platforms) {
      const theirs = p.customerExpectations;
      expect.push([
        p.platform + (theirs.survey !== p.platform ? color.dim(` (vs ${theirs.survey} survey)`) : ''),
        ...EXPECTATIONS.map((e) => {
          const ours = pct(p.expectations[e.key]);
          const expected = theirs[e.key];
          return expected === undefined ? ours : `${ours} ${color.dim(`(${pct(expected)})`)}`;
        }),
      ]);
    }
    out.push(expect.toString());

    title('Where the wait goes (means: FRT = detection lag + handling)');
    const split = table(color, ['platform', 'SLA target', 'FRT', 'detection lag', 'handling', 'lag share']);
    for (const p of report.platforms) {
      const lag = p.detectionLag.meanMinutes;
      const frt = p.frt.meanMinutes;
      split.push([p.platform, dur(p.slaTargetMinutes), dur(frt), dur(lag), dur(p.handling.meanMinutes), lag !== null && frt ? pct(Math.min(1, lag / frt)) : '—']);
    }
    out.push(split.toString());
  }
  for (const s of report.suggestions) out.push(color.yellow(`→ ${s}`));

  title(`SLA breaches: ${report.breaches.total}`);
  if (report.breaches.worst.length > 0) {
    const textWidth = Math.max(20, columns - 60);
    const worst = table(color, ['id', 'platform', 'over by', 'status', 'author', 'text']);
    for (const b of report.breaches.worst) {
      worst.push([
        String(b.id),
        b.platform,
        color.red(dur(b.overdueMinutes)),
        b.status,
        `@${truncate(sanitizeLine(b.author), 18)}`,
        truncate(sanitizeLine(b.text), textWidth) + (b.url ? `\n${color.dim(truncate(sanitizeLine(b.url), textWidth))}` : ''),
      ]);
    }
    out.push(worst.toString());
    out.push(color.dim(`All of them: brandwatch list --breached --since ${report.period.start.slice(0, 10)}`));
  }

  title('Follow-ups after our reply');
  const f = report.followUps;
  out.push(
    f.count === 0
      ? color.dim('none in this period')
      : `${f.count} follow-up${f.count === 1 ? '' : 's'}, ${f.answered} answered; next-response time p50 ${dur(f.nextResponse.p50Minutes)}, p90 ${dur(f.nextResponse.p90Minutes)}, mean ${dur(f.nextResponse.meanMinutes)}`,
  );

  if (report.apiUsage.length > 0) {
    title('API use');
    const usage = table(color, ['source', 'requests', 'posts read', 'month so far', 'budget', 'projected month end']);
    for (const u of report.apiUsage) {
      const projected = `${u.projectedMonthPostsRead.toLocaleString('en')}${u.projectedShareOfBudget !== null ? ` (${pct(u.projectedShareOfBudget)})` : ''}`;
      usage.push([
        u.source,
        u.requests.toLocaleString('en'),
        u.postsRead.toLocaleString('en'),
        u.monthPostsRead.toLocaleString('en'),
        u.monthlyReadBudget === null ? '—' : u.monthlyReadBudget.toLocaleString('en'),
        u.projectedShareOfBudget !== null && u.projectedShareOfBudget > 1 ? color.red(projected) : projected,
      ]);
    }
    out.push(usage.toString());
    const billed = report.apiUsage.filter((u) => u.monthSpend !== null);
    for (const u of billed) {
      const budget = u.monthlyBudget !== null ? ` of ${formatMoney(u.monthlyBudget)}` : '';
      out.push(`${u.source} spend: ${formatMoney(u.spend ?? 0)} in this period; ${formatMoney(u.monthSpend!)}${budget} this month, projected ${formatMoney(u.projectedMonthSpend ?? 0)} by month end`);
    }
    for (const u of report.apiUsage.filter((u) => u.countedVolume !== null)) out.push(volumeLine(u));
  }

  title('Daily volume and median first response');
  out.push(renderDailyChart(report, color));
  return out.join('\n');
}

/** One line per day: a volume bar and a median-FRT bar, each scaled to the period's largest. */
export function renderDailyChart(report: Report, color: ChalkInstance): string {
  const maxVolume = Math.max(0, ...report.days.map((d) => d.mentions));
  const maxFrt = Math.max(0, ...report.days.map((d) => d.frt.p50Minutes ?? 0));
  const lines: string[] = [];
  const width = 24;
  lines.push(color.dim(`${'day'.padEnd(14)} ${'mentions'.padEnd(width + 5)} median FRT`));
  for (const d of report.days) {
    const date = new Date(`${d.day}T00:00:00Z`);
    const label = `${date.toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' })} ${d.day}`;
    const volume = `${bar(d.mentions, maxVolume, width).padEnd(width)} ${String(d.mentions).padStart(4)}`;
    const frt = d.frt.p50Minutes === null ? color.dim('—') : `${color.cyan(bar(d.frt.p50Minutes, maxFrt, 16))} ${dur(d.frt.p50Minutes)}`;
    lines.push(`${label.padEnd(14)} ${color.green(volume)} ${frt}`);
  }
  return lines.join('\n');
}

/** The platform's own count beside what was read: volume without paying a read per post. */
export function volumeLine(u: Report['apiUsage'][number]): string {
  return `${u.source} volume: ${u.countedVolume!.toLocaleString('en')} posts counted by the platform in this period (${u.postsRead.toLocaleString('en')} read)`;
}
