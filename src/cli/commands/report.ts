import { writeFileSync } from 'node:fs';
import type { Context } from '../context.js';
import { toJson } from '../../io/json.js';
import { UsageError } from '../../errors.js';
import { resolvePeriod, type PeriodOptions } from '../../report/period.js';
import { buildReport, type Report } from '../../report/build.js';
import { DIMENSIONS, type Dimension } from '../../report/aggregate.js';
import { responseClockFor } from '../../time/business.js';

export interface ReportOptions extends PeriodOptions {
  by?: string;
  format?: string;
  out?: string;
  /** Direct messages' text in the report (left out by default). */
  includePrivate?: boolean;
}

const FORMATS = ['table', 'json', 'html'] as const;

export function parseDimension(text: string | undefined): Dimension {
  const by = (text ?? 'platform').toLowerCase();
  if (!(DIMENSIONS as readonly string[]).includes(by)) throw new UsageError(`--by: "${text}" is not a grouping (use ${DIMENSIONS.join(', ')})`);
  return by as Dimension;
}

/** Build the report for the period the options name; `report`, `demo` and tests call this. */
export async function report(ctx: Context, options: ReportOptions): Promise<Report> {
  const by = parseDimension(options.by);
  const timeZone = await ctx.timeZone();
  const period = resolvePeriod(options, ctx.now(), timeZone);
  const { config } = await ctx.config();
  const store = await ctx.store();
  return await buildReport({ db: store.db, config, period, clock: responseClockFor(config, timeZone), by, now: ctx.now(), includePrivate: options.includePrivate === true });
}

export async function render(ctx: Context, data: Report, format: (typeof FORMATS)[number]): Promise<string> {
  if (format === 'json') return toJson(data);
  if (format === 'html') {
    const { renderReportHtml } = await import('../../report/html.js');
    return renderReportHtml(data, (await ctx.config()).config.brand);
  }
  const { renderReportTable } = await import('../../report/table.js');
  return renderReportTable(data, ctx.io.color, { columns: ctx.io.columns, invocation: (...args) => ctx.invocation(...args) });
}

export async function run(ctx: Context, options: ReportOptions): Promise<void> {
  const format = (ctx.io.json ? 'json' : (options.format ?? 'table').toLowerCase()) as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format: "${options.format}" is not a format (use ${FORMATS.join(', ')})`);
  const data = await report(ctx, options);
  const text = await render(ctx, data, format);
  if (options.out) {
    try {
      writeFileSync(options.out, text.endsWith('\n') ? text : `${text}\n`);
    } catch (error) {
      throw new UsageError(`--out: cannot write ${options.out} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    ctx.io.info(`report written to ${options.out}`);
  } else ctx.io.out(text);
}
