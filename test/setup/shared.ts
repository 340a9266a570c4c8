import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A folder for the whole run (BRANDWATCH_TEST_SHARED), where expensive results several test files read
 * (test/helpers/demo.ts) are made once; removed at the end.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'bw-run-'));
  process.env.BRANDWATCH_TEST_SHARED = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
