import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { listAlerts, type AlertRecord } from '../../store/alerts.js';
import { ALERT_KINDS } from '../../alerts/rules.js';
import { parseWhen } from '../../time/when.js';
import { formatInstant } from '../../time/zone.js';
import { sanitizeLine } from '../../io/sanitize.js';

export interface AlertsOptions {
  since?: string;
  kind?: string;
  limit: number;
}

export async function alerts(ctx: Context, options: AlertsOptions): Promise<AlertRecord[]> {
  if (options.kind !== undefined && !(ALERT_KINDS as readonly string[]).includes(options.kind)) {
    throw new UsageError(`--kind: "${options.kind}" is not an alert kind (use ${ALERT_KINDS.join(', ')})`);
  }
  let since: number | undefined;
  if (options.since !== undefined) {
    const parsed = parseWhen(options.since, ctx.now(), await ctx.timeZone());
    if (parsed === null) throw new UsageError(`--since: "${options.since}" is not a date (use 2026-11-16, 2026-11-16T09:00, or 7d / 24h)`);
    since = parsed;
  }
  const store = await ctx.store();
  return await listAlerts(store.db, {
    ...(since !== undefined ? { since } : {}),
    ...(options.kind ? { kind: options.kind } : {}),
    limit: options.limit,
  });
}

/** The stable JSON shape of a log entry in `alerts --json`. */
export function alertJson(a: AlertRecord, timeZone: string) {
  return {
    id: a.id,
    key: a.key,
    kind: a.kind,
    raisedAt: formatInstant(a.raisedAt, timeZone),
    mentionId: a.mentionId,
    keyword: a.keyword,
    title: a.title,
    foldedInto: a.foldedInto,
    quietHours: a.quiet,
    delivery: {
      state: a.delivery,
      attempts: a.attempts,
      deliveredAt: a.deliveredAt === null ? null : formatInstant(a.deliveredAt, timeZone),
      lastError: a.lastError,
    },
    alert: a.payload,
  };
}

/** The alert log, newest first: what was raised, and whether the webhook got it. */
export async function run(ctx: Context, options: AlertsOptions): Promise<void> {
  const entries = await alerts(ctx, options);
  const timeZone = await ctx.timeZone();
  if (ctx.io.json) {
    ctx.io.outJson(entries.map((a) => alertJson(a, timeZone)));
    return;
  }
  if (entries.length === 0) {
    ctx.io.info('no alerts yet (alerts are raised by poll and watch)');
    return;
  }
  const delivery = (a: AlertRecord) =>
    a.delivery === 'folded' ? `folded into ${a.foldedInto}` : a.delivery === 'failed' ? `failed ×${a.attempts}: ${sanitizeLine(a.lastError ?? '')}` : a.delivery;
  if (!ctx.io.stdoutIsTTY) {
    ctx.io.out(
      entries.map((a) => [a.id, formatInstant(a.raisedAt, timeZone), a.kind, a.mentionId ?? '', delivery(a), sanitizeLine(a.title).replace(/\t/g, ' ')].join('\t')).join('\n'),
    );
    return;
  }
  const { renderTable } = await import('../../io/table.js');
  const { relativeTime } = await import('../../time/relative.js');
  const { color } = ctx.io;
  const now = ctx.now();
  const rows = entries.map((a) => [
    String(a.id),
    relativeTime(a.raisedAt, now),
    a.kind,
    a.mentionId === null ? '' : `#${a.mentionId}`,
    { text: delivery(a), color: a.delivery === 'failed' ? color.red : a.delivery === 'sent' ? color.green : color.dim },
    sanitizeLine(a.title),
  ]);
  ctx.io.out(
    renderTable(
      [
        { header: 'id', align: 'right' },
        { header: 'raised' },
        { header: 'kind' },
        { header: 'mention', align: 'right' },
        { header: 'delivery', shrink: true, min: 8 },
        { header: 'alert', shrink: true, min: 12 },
      ],
      rows,
      { width: ctx.io.columns, header: color.bold },
    ),
  );
}
