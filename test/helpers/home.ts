import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The HOME of the commands a test file runs (in-process or spawned): a folder of this file's own, empty at
 * the start, so no user config applies and what a command keeps under HOME (Bluesky's session file, named
 * after the service URL) never reaches another test file whose fake happened to get the same port.
 */
export const TEST_HOME = mkdtempSync(join(tmpdir(), 'bw-home-'));
