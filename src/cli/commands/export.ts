import { closeSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Context } from '../context.js';
import { RuntimeFailure, UsageError } from '../../errors.js';
import { sanitizeText } from '../../io/sanitize.js';
import { resolvePeriod, type PeriodOptions } from '../../report/period.js';
import { responseClockFor } from '../../time/business.js';
import type { ChunkWriter } from '../../report/csv.js';

export interface ExportOptions extends PeriodOptions {
  what?: string;
  out?: string;
  bom?: boolean;
  /** Direct messages' text too. */
  includePrivate?: boolean;
}

const WHATS = ['mentions', 'summary'] as const;

/** Chunks to an open file, each in one synchronous write (see CHUNK in src/report/csv.ts); stops at Ctrl-C. */
function fileWriter(ctx: Context, fd: number): ChunkWriter {
  // One buffer for every chunk, grown when a chunk needs more: a new one per chunk is memory the collector frees late.
  let buffer = Buffer.allocUnsafe(0);
  return async (chunk) => {
    if (ctx.signal.aborted) throw new Error('export interrupted; nothing was kept');
    const size = Buffer.byteLength(chunk, 'utf8');
    if (size > buffer.length) buffer = Buffer.allocUnsafe(Math.max(size, 2 * buffer.length));
    buffer.write(chunk, 0, size, 'utf8');
    for (let written = 0; written < size; ) written += writeSync(fd, buffer, written, size - written);
  };
}

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
  const input = { db: store.db, config, period, clock: responseClockFor(config, timeZone), now: ctx.now(), bom: options.bom === true, includePrivate: options.includePrivate === true };
  const exporter = what === 'summary' ? exportSummary : exportMentions;

  if (!options.out) {
    // CSV on a terminal is read, not parsed: post texts must not reach it with their escape sequences.
    const toStdout = streamWriter(ctx, ctx.io.stdout);
    const write: ChunkWriter = ctx.io.stdoutIsTTY ? (chunk) => toStdout(sanitizeText(chunk)) : toStdout;
    try {
      const rows = await exporter(input, write);
      ctx.io.debug(`${rows} rows exported`);
    } catch (error) {
      // The reader went away (`export | head`): it has all it wanted.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    }
    return;
  }
  const target = outputTarget(options.out);
  // A regular file is written beside itself and renamed at the end, so an interrupted export never leaves half
  // a file; anything else (a device, a FIFO) is written through, never replaced.
  const temporary = target.atomic ? join(dirname(target.path), `.${basename(target.path)}.${process.pid}.partial`) : null;
  let fd: number | null = null;
  try {
    fd = openSync(temporary ?? target.path, 'w');
    const rows = await exporter(input, fileWriter(ctx, fd));
    closeSync(fd);
    fd = null;
    if (temporary) renameSync(temporary, target.path);
    ctx.io.info(`${rows.toLocaleString('en')} ${what === 'summary' ? 'summary rows' : 'mentions'} (${period.label}) written to ${options.out}`);
  } catch (error) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // The write's own error says more.
      }
    }
    if (temporary) rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EROFS') {
      throw new UsageError(`--out: cannot write ${options.out} (${code}); choose a file in a folder you can write`);
    }
    if (code) throw new RuntimeFailure(`--out: writing ${options.out} failed (${code}); nothing was kept — check the disk`);
    throw error;
  }
}

/** Where `--out` really writes: through symlinks to the file they name; atomically only onto a regular file or a new one. */
function outputTarget(out: string): { path: string; atomic: boolean } {
  let path = out;
  try {
    if (lstatSync(out).isSymbolicLink()) path = realpathSync(out);
  } catch {
    return { path: out, atomic: true };
  }
  try {
    return { path, atomic: statSync(path).isFile() };
  } catch {
    return { path, atomic: true };
  }
}
