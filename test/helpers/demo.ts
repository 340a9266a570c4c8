import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, type CliResult } from './cli.js';

/** The clock of the shared demo run: the sample fortnight ends the day before. */
export const DEMO_NOW = '2026-11-22T09:00:00Z';

let mine: Promise<CliResult> | null = null;
/** This file's own demo folder, when the run has no shared one. */
let own: string | null = null;

/**
 * `brandwatch demo --dir <folder>` of the built CLI at DEMO_NOW, with a private copy of the demo folder for each
 * caller to change. Run once per test file; once per test run when BRANDWATCH_TEST_SHARED names a folder for the
 * run (the first file to ask runs it, the others wait for its result). The demo replays a fortnight as
 * 15-minute polls: seconds of work each time.
 */
export async function sharedDemo(): Promise<{ result: CliResult; dir: string }> {
  const shared = process.env.BRANDWATCH_TEST_SHARED;
  const folder = shared ? join(shared, 'demo') : (own ??= join(tempDir(), 'demo'));
  const done = shared ? join(shared, 'demo.json') : null;
  let result: CliResult;
  if (!done) {
    result = await (mine ??= runCli(['demo', '--dir', folder], { env: { BRANDWATCH_NOW: DEMO_NOW } }));
  } else if (claim(join(shared!, 'demo.lock'))) {
    result = await (mine ??= (async () => {
      const ran = await runCli(['demo', '--dir', folder], { env: { BRANDWATCH_NOW: DEMO_NOW } });
      writeFileSync(`${done}.tmp`, JSON.stringify(ran));
      renameSync(`${done}.tmp`, done);
      return ran;
    })());
  } else {
    result = mine ? await mine : await waitFor(done);
  }
  const copy = join(tempDir('brandwatch-demo-'), 'demo');
  if (existsSync(folder)) cpSync(folder, copy, { recursive: true });
  return { result, dir: copy };
}

/** True for exactly one caller across the run's processes: mkdir is atomic. */
function claim(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function waitFor(done: string): Promise<CliResult> {
  const deadline = Date.now() + 120_000;
  while (!existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`the shared demo run did not finish (${done})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return JSON.parse(readFileSync(done, 'utf8')) as CliResult;
}
