import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** A command's exit status and output, run without blocking this process (its test runner keeps talking). */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(command, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ status, stdout, stderr });
    });
  });
}

/**
 * The packed package, laid out as `npm install -g` lays it out (the package under lib/node_modules, its
 * bin linked into bin/), run from a folder outside the repository. The dependencies npm would fetch are
 * the checkout's own (the same lock file): tests do not reach the registry.
 */
describe('install from the packed tarball', () => {
  it('npm pack holds the CLI, its build and the classifier weights, and the installed command runs from anywhere', async () => {
    const work = tempDir('brandwatch-install-');
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    expect(files).toContain('bin/brandwatch.js');
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('data/model/classifier.bin');
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.endsWith('.db'))).toEqual([]);

    const prefix = join(work, 'prefix');
    const installed = join(prefix, 'lib', 'node_modules', 'brandwatch');
    mkdirSync(installed, { recursive: true });
    const unpacked = await run('tar', ['xzf', join(work, info!.filename), '-C', installed, '--strip-components=1'], { cwd: work });
    expect(unpacked.status, unpacked.stderr).toBe(0);
    symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'));
    mkdirSync(join(prefix, 'bin'));
    symlinkSync('../lib/node_modules/brandwatch/bin/brandwatch.js', join(prefix, 'bin', 'brandwatch'));

    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);
    const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, HOME: elsewhere, NO_COLOR: '1', TZ: 'UTC' };
    const version = await run('brandwatch', ['--version'], { cwd: elsewhere, env });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe('0.1.0');

    const demo = await run('brandwatch', ['demo'], { cwd: elsewhere, env });
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/Inbox/);
    expect(existsSync(join(elsewhere, 'brandwatch-demo', 'brandwatch.db'))).toBe(true);
    expect(readdirSync(installed)).not.toContain('brandwatch-demo');
    // npm pack and the demo's fortnight of polls: allowed more than the default minute on a loaded machine.
  }, 180_000);
});
