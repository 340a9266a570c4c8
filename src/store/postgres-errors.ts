/**
 * PostgreSQL's failures in the person's terms: one line naming the database (its URL without the password)
 * and what to fix. No password reaches a message, even when the server or the driver repeats the
 * connection string: every message is scrubbed of the URL's password and of PGPASSWORD.
 *
 * Exit codes: a server that says it cannot take the connection now (starting up, shutting down, too many
 * connections) is temporary (75, cron tries again); anything else — unreachable, refused credentials, a
 * missing database, a missing permission — needs a person and is a StoreError (1).
 */
import { StoreError, TemporaryError } from '../errors.js';

/** The URL as messages show it: user, host, port, database and options, never the password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/^pass(word)?$/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    // Not parseable as a URL: drop whatever sits between "://user:" and "@".
    return url.replace(/(:\/\/[^:/@]*):[^@]*@/, '$1@');
  }
}

/** Every spelling of a secret that might be echoed: the URL's password (raw and decoded) and PGPASSWORD. */
function secrets(url: string): string[] {
  const found: string[] = [];
  try {
    const parsed = new URL(url);
    if (parsed.password) found.push(parsed.password, decodeURIComponent(parsed.password));
    for (const [key, value] of parsed.searchParams) if (/^pass(word)?$/i.test(key) && value) found.push(value);
  } catch {
    const match = /:\/\/[^:/@]*:([^@]*)@/.exec(url);
    if (match?.[1]) found.push(match[1]);
  }
  if (process.env.PGPASSWORD) found.push(process.env.PGPASSWORD);
  return [...new Set(found.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
}

export function scrub(text: string, url: string): string {
  let out = text;
  for (const secret of secrets(url)) out = out.split(secret).join('***');
  return out.replace(/\s+/g, ' ').trim();
}

/** SQLSTATE class 23: a unique key, check or foreign key held; the store functions that expect one read it. */
export function isPostgresConstraintViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^23[0-9A-Z]{3}$/.test(code);
}

function endpoint(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || process.env.PGHOST || 'localhost';
    const port = parsed.port || process.env.PGPORT || '5432';
    return `${host}:${port}`;
  } catch {
    return 'the server';
  }
}

function user(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || process.env.PGUSER || 'the current user';
  } catch {
    return 'the user';
  }
}

function database(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || process.env.PGDATABASE || user(url);
  } catch {
    return 'the database';
  }
}

/**
 * A failure as the store reports it: constraint violations pass through (the store functions catch and read
 * them), everything else becomes a one-line StoreError or TemporaryError with what to do.
 */
export function translatePostgresError(error: unknown, url: string, location: string): unknown {
  if (error instanceof StoreError || error instanceof TemporaryError) return error;
  if (isPostgresConstraintViolation(error)) {
    const e = error as Error;
    e.message = scrub(e.message, url);
    return e;
  }
  const code = String((error as { code?: unknown }).code ?? '');
  const raw = (error as Error)?.message ?? String(error);
  const message = scrub(raw, url);
  const at = location;
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'ENOENT': // a Unix socket that is not there
      return new StoreError(`${at}: cannot reach the PostgreSQL server at ${endpoint(url)} (${code}); check the host and port in the URL or PGHOST/PGPORT, and that the server is running`);
    case '28P01':
    case '28000':
      return new StoreError(`${at}: PostgreSQL refused the login of ${user(url)} (${message}); check PGPASSWORD or the ~/.pgpass entry for this host, port, database and user`);
    case '3D000':
      return new StoreError(`${at}: the database "${database(url)}" does not exist on the server; create it (createdb ${database(url)}) or fix the URL`);
    case '42501':
      return new StoreError(`${at}: permission denied (${message}); grant ${user(url)} the rights on this database (it needs to create tables and write rows), or use its owner`);
    case '57P03':
    case '53300':
      return new TemporaryError(`${at}: the PostgreSQL server cannot take the connection now (${message}); try again later (exit 75)`);
    case '53100':
      return new StoreError(`${at}: the PostgreSQL server's disk is full (${message}); free space on the server and run the command again`);
    default:
      break;
  }
  if (/password must be a string|SASL|SCRAM|password authentication/i.test(raw)) {
    return new StoreError(`${at}: PostgreSQL asked for a password for ${user(url)} and none was found; set PGPASSWORD or add a ~/.pgpass entry for this host, port, database and user`);
  }
  if (/self[- ]signed|certificate|SSL|TLS/i.test(raw) && !code.match(/^[0-9A-Z]{5}$/)) {
    return new StoreError(`${at}: the TLS connection failed (${message}); check sslmode and sslrootcert in the URL (or PGSSLMODE)`);
  }
  if (/Connection terminated|timeout/i.test(raw)) {
    return new StoreError(`${at}: the connection to the PostgreSQL server at ${endpoint(url)} was lost (${message}); check the network and the server, then run the command again`);
  }
  return new StoreError(`${at}: database error: ${message}${code ? ` (${code})` : ''}`);
}
