import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configText, sourceBlock } from './config.js';
import { TEST_HOME } from './home.js';

export const BIN = resolve(import.meta.dirname, '../../bin/brandwatch.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The loopback-only connection guard the test workers load, preloaded into every CLI a test spawns. */
export const NETWORK_GUARD = resolve(import.meta.dirname, '../setup/network-guard.cjs');

/** A clean environment for the CLI: no user config, no colours, no network but the loopback, the caller's extras. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const guard = `--require ${JSON.stringify(NETWORK_GUARD)}`;
  return { PATH: process.env.PATH, HOME: TEST_HOME, NO_COLOR: '1', TZ: 'UTC', ...extra, NODE_OPTIONS: extra.NODE_OPTIONS ? `${guard} ${extra.NODE_OPTIONS}` : guard };
}

export function startCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: cliEnv(options.env), cwd: options.cwd ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Run the built CLI as a child process and collect its output. */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(options.env), cwd: options.cwd ?? tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The same command run in this process on the real context (see run.ts): for cases that need no process of their own. */
export async function runCommand(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  const { runInProcess } = await import('./run.js');
  const result = await runInProcess(args, { ...(options.env ? { env: options.env } : {}), ...(options.input !== undefined ? { input: options.input } : {}) });
  return { ...result, signal: null };
}

/** A temp folder for one test's config and database. */
export function tempDir(prefix = 'brandwatch-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeConfig(dir: string, text: string, name = 'config.yml'): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** Config for a Twitter source pointed at a fake server (the one config builder, test/helpers/config.ts). */
export function twitterConfig(options: { keywords?: string[]; extra?: string; ownHandle?: string } = {}): string {
  const raw = options.extra ? options.extra.split('\n') : [];
  return configText({
    ...(options.keywords ? { keywords: options.keywords } : {}),
    ownAccounts: { twitter: options.ownHandle ?? 'acme_help' },
    sources: [sourceBlock('twitter', {}, ['bearerTokenEnv: TWITTER_BEARER_TOKEN', ...raw])],
  });
}
