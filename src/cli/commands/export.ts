import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { resolvePeriod, type PeriodOptions } from '../../report/period.js';
import { responseClockFor } from '../../time/business.js';
import type { ChunkWriter } from '../../report/csv.js';

export interface ExportOptions extends PeriodOptions {
  what?: string;
  out?: string;
  bom?: boolean;
}

const WHATS = ['mentions', 'summary'] as const;

/** Chunks to a stream, waiting for 'drain' when it is full; stops at Ctrl-C. */
function streamWriter(ctx: Context, stream: NodeJS.WritableStream): ChunkWriter {
  let failure: Error | null = null;
  stream.on('error', (error: Error) => (failure = error));
  return async (chunk) => {
    if (failure) throw failure;
    if (ctx.signal.aborted) throw new Error('export interrupted; nothing was kept');
    if (!stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          stream.off('error', onError);
          resolve();
        };
        const onError = (error: Error) => {
          stream.off('drain', onDrain);
          reject(error);
        };
        stream.once('drain', onDrain);
        stream.once('error', onError);
      });
    }
  };
}

export async function run(ctx: Context, options: ExportOptions): Promise<void> {
  const what = (options.what ?? 'mentions').toLowerCase();
  if (!(WHATS as readonly string[]).includes(what)) throw new UsageError(`--what: "${options.what}" is not an export (use ${WHATS.join(' or ')})`);
  const timeZone = await ctx.timeZone();
  const period = resolvePeriod(options, ctx.now(), timeZone);
  const { config } = await ctx.config();
  const store = await ctx.store();
  const { exportMentions, exportSummary } = await import('../../report/csv.js');
  const input = { db: store.db, config, period, clock: responseClockFor(config, timeZone), now: ctx.now(), bom: options.bom === true };
  const exporter = what === 'summary' ? exportSummary : exportMentions;

  if (!options.out) {
    try {
      const rows = await exporter(input, streamWriter(ctx, ctx.io.stdout));
      ctx.io.debug(`${rows} rows exported`);
    } catch (error) {
      // The reader went away (`export | head`): it has all it wanted.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    }
    return;
  }
  // Written beside the target and renamed at the end: an interrupted export never leaves half a file.
  const temporary = `${options.out}.${process.pid}.partial`;
  const file = createWriteStream(temporary);
  try {
    await once(file, 'open');
    const rows = await exporter(input, streamWriter(ctx, file));
    file.end();
    await once(file, 'finish');
    renameSync(temporary, options.out);
    ctx.io.info(`${rows.toLocaleString('en')} ${what === 'summary' ? 'summary rows' : 'mentions'} (${period.label}) written to ${options.out}`);
  } catch (error) {
    file.destroy();
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code) throw new UsageError(`--out: cannot write ${options.out} (${code})`);
    throw error;
  }
}
