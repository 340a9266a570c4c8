// A throw-away PostgreSQL server on loopback for the tests and the bench: initdb into a fresh temporary
// folder, pg_ctl start on a free port, pg_ctl stop and remove the folder at the end. Plain JavaScript so the
// bench (which runs without a TypeScript loader) starts the very same server as the tests.
//
// PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as an unprivileged system user
// (`postgres` when it exists, else `nobody`) through runuser, in a 0700 folder that user owns outside the
// checkout (which may be a folder only root can read). The superuser logs in with a generated password over
// TCP (scram-sha-256), so the tests exercise real authentication; the Unix socket is trusted.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folder holding initdb and pg_ctl: PATH first, then Debian's /usr/lib/postgresql/<version>/bin (newest). */
export function findServerBinaries() {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) {
    const initdb = onPath.stdout.trim();
    const pgCtl = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
    if (pgCtl) return { initdb, pgCtl };
  }
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return { initdb: join(base, versions[0], 'bin', 'initdb'), pgCtl: join(base, versions[0], 'bin', 'pg_ctl') };
  }
  return null;
}

function userExists(name) {
  return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;
}

function idOf(name) {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Start a server. Resolves to `{ url, adminUrl, port, user, password, stop }`, or `{ skipped: reason }` when
 * no server binaries are installed. `url` names the `postgres` database; create one per test file.
 */
export async function startPostgres({ log = () => {} } = {}) {
  const binaries = findServerBinaries();
  if (!binaries) return { skipped: 'no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin' };
  const root = process.getuid?.() === 0;
  const runAs = root ? (userExists('postgres') ? 'postgres' : 'nobody') : null;
  const dir = mkdtempSync(join(tmpdir(), 'brandwatch-pg-'));
  chmodSync(dir, 0o700);
  if (runAs) {
    const { uid, gid } = idOf(runAs);
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  const logFile = join(dir, 'server.log');
  const pwfile = join(dir, 'pwfile');
  const user = 'brandwatch_test';
  const password = randomBytes(12).toString('hex');
  const as = (command, args) => (runAs ? ['runuser', ['-u', runAs, '--', command, ...args]] : [command, args]);
  const exec = (command, args) => {
    const [cmd, argv] = as(command, args);
    const result = spawnSync(cmd, argv, { cwd: dir, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    if (result.status !== 0) {
      throw new Error(`${command} failed (${result.status}): ${(result.stderr || result.stdout || '').trim().split('\n').slice(-3).join(' / ')}`);
    }
    return result;
  };
  const chownToRunner = (path) => {
    if (runAs) {
      const { uid, gid } = idOf(runAs);
      chownSync(path, uid, gid);
    }
  };
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  chownToRunner(pwfile);
  exec('mkdir', ['-m', '0700', socket]);
  try {
    exec(binaries.initdb, ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  rmSync(pwfile, { force: true });
  let port = 0;
  let started = false;
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${socket} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
    try {
      exec(binaries.pgCtl, ['start', '-w', '-t', '60', '-D', data, '-l', logFile, '-o', options]);
      started = true;
    } catch (error) {
      log(`postgres: start on port ${port} failed: ${error.message}`);
    }
  }
  if (!started) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('could not start the throw-away PostgreSQL server');
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      exec(binaries.pgCtl, ['stop', '-m', 'immediate', '-w', '-D', data]);
    } catch (error) {
      log(`postgres: stop failed: ${error.message}`);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A run that ends without its teardown (an interrupted test run) still stops the server.
  process.once('exit', stop);
  const base = `postgres://${user}:${password}@127.0.0.1:${port}`;
  return { url: `${base}/postgres`, base, port, user, password, host: '127.0.0.1', stop };
}
