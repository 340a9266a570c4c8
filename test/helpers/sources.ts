import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { CliResult } from './cli.js';
import { runInProcess } from './run.js';
import { configText } from './config.js';

export { sourceBlock } from './config.js';

/** Several sources in one config (the one config builder, test/helpers/config.ts). */
export function multiConfig(blocks: string[], options: { keywords?: string[]; ownAccounts?: Record<string, string> } = {}): string {
  return configText({ ...(options.keywords ? { keywords: options.keywords } : {}), ...(options.ownAccounts ? { ownAccounts: options.ownAccounts } : {}), sources: blocks });
}

export interface StoredRow {
  platform: string;
  source: string;
  external_id: string;
  url: string | null;
  author_handle: string;
  author_name: string | null;
  text: string;
  created_at: number;
  keywords: string;
  in_reply_to: string | null;
  conversation_id: string | null;
  likes: number;
  replies: number;
  status: string;
}

export function storedRows(dir: string, platform?: string): StoredRow[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    const sql = `SELECT * FROM mentions ${platform ? 'WHERE platform = ?' : ''} ORDER BY created_at, external_id`;
    return db.prepare(sql).all(...(platform ? [platform] : [])) as StoredRow[];
  } finally {
    db.close();
  }
}

export function nativeResponses(dir: string): { external_id: string; mention_external_id: string; via: string }[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db
      .prepare('SELECT r.external_id, m.external_id AS mention_external_id, r.via FROM responses r JOIN mentions m ON m.id = r.mention_id ORDER BY r.id')
      .all() as { external_id: string; mention_external_id: string; via: string }[];
  } finally {
    db.close();
  }
}

export function cursorOf(dir: string, source: string): Record<string, unknown>[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return (db.prepare('SELECT state FROM cursors WHERE source = ? ORDER BY query_key').all(source) as { state: string }[]).map((r) => JSON.parse(r.state));
  } finally {
    db.close();
  }
}

/** `brandwatch --config dir/config.yml --db dir/bw.db <args>`, run in this process on the real context. */
export async function cli(dir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { env });
  return { ...result, signal: null };
}

/** The JSON report of `poll --json`, by source name. */
export function bySource(stdout: string): Record<string, { status: string; new: number; pages: number; requests: number; message: string | null; nativeReplies: number }> {
  const report = JSON.parse(stdout) as { sources: { source: string; status: string; new: number; pages: number; requests: number; message: string | null; nativeReplies: number }[] };
  return Object.fromEntries(report.sources.map((s) => [s.source, s]));
}
