import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Context } from '../context.js';
import { ConfigError, RuntimeFailure } from '../../errors.js';
import type { Config } from '../../config/schema.js';
import type { RateLimitState, SourceCheck } from '../../sources/types.js';
import { sanitizeLine } from '../../io/sanitize.js';
import { formatMoney } from '../../metrics/cost.js';

export type CheckStatus = SourceCheck['status'];

/** One finding: what was checked (`area` is "config", "database" or a source name), how it went, and the fix. */
export interface DoctorCheck {
  area: string;
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
  rateLimit?: RateLimitState;
}

export interface DoctorReport {
  ok: boolean;
  failures: number;
  warnings: number;
  checks: DoctorCheck[];
}

/** Check config, database, each source's credentials and reachability, and the month's API use; changes nothing. */
export async function doctor(ctx: Context): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const config = await checkConfig(ctx, checks);
  const db = await checkDatabase(ctx, config, checks);
  if (config) {
    const perSource = await Promise.all(config.config.sources.map((source) => checkSource(ctx, config, source)));
    for (const found of perSource) checks.push(...found);
    if (db) checks.push(...(await checkUsage(ctx, config.config, db)));
  }
  if (db) checks.push(await checkClassifier(db));
  await db?.close();
  const failures = checks.filter((c) => c.status === 'fail').length;
  const warnings = checks.filter((c) => c.status === 'warn').length;
  return { ok: failures === 0, failures, warnings, checks };
}

type Loaded = { config: Config; path: string };

async function checkConfig(ctx: Context, checks: DoctorCheck[]): Promise<Loaded | null> {
  const { loadConfig, secretVariables } = await import('../../config/load.js');
  const path = ctx.configPath();
  try {
    const loaded = loadConfig(path);
    const { config } = loaded;
    ctx.io.redactor.add(secretVariables(config).map((name) => ctx.env[name]));
    checks.push({
      area: 'config',
      name: 'valid',
      status: 'ok',
      detail: `${loaded.path}: ${config.sources.length} source${config.sources.length === 1 ? '' : 's'}, ${config.keywords.length} keyword${config.keywords.length === 1 ? '' : 's'}`,
    });
    for (const warning of loaded.warnings) {
      checks.push({ area: 'config', name: 'permissions', status: 'warn', detail: warning, fix: `chmod 600 ${loaded.path}` });
    }
    if (loaded.warnings.length === 0) checks.push({ area: 'config', name: 'permissions', status: 'ok', detail: 'readable by its owner only' });
    return loaded;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const fix = existsSync(path) ? 'correct the line named above (see the README for each key)' : 'create one with `brandwatch init` or pass --config <file>';
    checks.push({ area: 'config', name: 'valid', status: 'fail', detail: message, fix });
    return null;
  }
}

type Engine = import('../../store/engine.js').Engine;

/** Open the database without migrating or creating it: doctor must leave it as it is. */
async function checkDatabase(ctx: Context, config: Loaded | null, checks: DoctorCheck[]): Promise<Engine | null> {
  const area = 'database';
  let path: string;
  const explicit = ctx.options.db ?? ctx.env.BRANDWATCH_DB;
  if (explicit) path = explicit;
  else if (config?.config.database) {
    try {
      path = (await import('../../config/load.js')).databaseFromConfig(config.path, config.config.database);
    } catch (error) {
      checks.push({ area, name: 'openable', status: 'fail', detail: (error as Error).message, fix: 'put the password in PGPASSWORD or ~/.pgpass' });
      return null;
    }
  }
  else if (config || !existsSync(ctx.configPath())) path = (await import('../context.js')).defaultDbPath(ctx.env);
  else {
    checks.push({ area, name: 'openable', status: 'warn', detail: 'not checked: the config names the database, and the config is invalid' });
    return null;
  }
  if ((await import('../../store/postgres-url.js')).isPostgresUrl(path)) return checkPostgres(path, checks);
  if (!existsSync(path)) {
    const folder = nearestExisting(dirname(path));
    const writable = canWrite(folder);
    checks.push({
      area,
      name: 'openable',
      status: writable ? 'ok' : 'fail',
      detail: writable ? `${path} does not exist yet; the first poll creates it` : `${path} does not exist and ${folder} is not writable`,
      ...(writable ? {} : { fix: `make ${folder} writable or point --db elsewhere` }),
    });
    return null;
  }
  const [{ SCHEMA_VERSION, schemaVersion, ownership }, { openForInspection, tryWriteLock }] = await Promise.all([import('../../store/migrate.js'), import('../../store/inspect.js')]);
  let db: Engine;
  try {
    // Read-only: the checks look, they never change the file (a read-only file is reported, not failed on open).
    db = openForInspection(path);
  } catch (error) {
    checks.push({ area, name: 'openable', status: 'fail', detail: `${path}: ${(error as Error).message}`, fix: 'point --db at a brandwatch database, or move the file away' });
    return null;
  }
  try {
    await ownership(db, path);
  } catch (error) {
    await db.close();
    checks.push({ area, name: 'openable', status: 'fail', detail: (error as Error).message, fix: 'point --db at a brandwatch database, or move the file away' });
    return null;
  }
  const version = await schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    checks.push({ area, name: 'schema', status: 'fail', detail: `${path}: schema ${version} was written by a newer brandwatch (this one knows ${SCHEMA_VERSION})`, fix: 'upgrade brandwatch' });
  } else if (version < SCHEMA_VERSION) {
    checks.push({ area, name: 'schema', status: 'ok', detail: `${path}: schema ${version}; the next poll (or any command that writes) migrates it to ${SCHEMA_VERSION}; reading commands wait for that` });
  } else {
    checks.push({ area, name: 'schema', status: 'ok', detail: `${path}: schema ${version} (current)` });
  }
  try {
    // A connection of its own that may write, used only to take and release the write lock.
    tryWriteLock(path);
    checks.push({ area, name: 'writable', status: 'ok', detail: 'a write transaction can start' });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const busy = code.startsWith('SQLITE_BUSY');
    checks.push({
      area,
      name: 'writable',
      status: busy ? 'warn' : 'fail',
      detail: busy ? 'another process holds the write lock (a poll running?)' : `${(error as Error).message}`,
      fix: busy ? 'run doctor again in a moment' : `check the permissions of ${path} and ${dirname(path)}`,
    });
  }
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0) checks.push({ area, name: 'permissions', status: 'warn', detail: `${path} is readable by other users`, fix: `chmod 600 ${path}` });
    else checks.push({ area, name: 'permissions', status: 'ok', detail: 'readable by its owner only' });
  } catch {
    // Reported by the open above.
  }
  if (version <= SCHEMA_VERSION) return db;
  await db.close();
  return null;
}

/** The PostgreSQL store: reachable with these credentials, ours, at which schema; nothing is changed. */
async function checkPostgres(url: string, checks: DoctorCheck[]): Promise<Engine | null> {
  const area = 'database';
  const [{ openPostgresEngine }, { postgresOwnership }, { SCHEMA_VERSION }] = await Promise.all([
    import('../../store/postgres.js'),
    import('../../store/postgres-schema.js'),
    import('../../store/migrate.js'),
  ]);
  let db: Engine;
  try {
    db = await openPostgresEngine(url);
  } catch (error) {
    checks.push({ area, name: 'openable', status: 'fail', detail: (error as Error).message });
    return null;
  }
  checks.push({ area, name: 'openable', status: 'ok', detail: `${db.location}: the server answers and accepts the login` });
  try {
    const owner = await postgresOwnership(db);
    if (owner.owner === 'empty') {
      checks.push({ area, name: 'schema', status: 'ok', detail: `${db.location}: empty; the first poll (or migrate-store) creates the tables` });
      await db.close();
      return null;
    }
    if (owner.version > SCHEMA_VERSION) {
      checks.push({ area, name: 'schema', status: 'fail', detail: `${db.location}: schema ${owner.version} was written by a newer brandwatch (this one knows ${SCHEMA_VERSION})`, fix: 'upgrade brandwatch' });
      await db.close();
      return null;
    }
    checks.push({ area, name: 'schema', status: 'ok', detail: `${db.location}: schema ${owner.version}${owner.version === SCHEMA_VERSION ? ' (current)' : `; the next poll migrates it to ${SCHEMA_VERSION}`}` });
    return db;
  } catch (error) {
    await db.close();
    checks.push({ area, name: 'openable', status: 'fail', detail: (error as Error).message, fix: 'point --db at an empty PostgreSQL database or one brandwatch made' });
    return null;
  }
}

function nearestExisting(folder: string): string {
  let current = folder;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function checkSource(ctx: Context, loaded: Loaded, source: Config['sources'][number]): Promise<DoctorCheck[]> {
  const { buildSources, sourceName } = await import('../../sources/index.js');
  const area = sourceName(source);
  let built;
  try {
    [built] = await buildSources(loaded.config, { env: ctx.env, configPath: loaded.path, now: () => ctx.now() }, area);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const variable = /environment variable (\w+)/.exec(message)?.[1];
    return [
      {
        area,
        name: 'credentials present',
        status: 'fail',
        detail: message,
        ...(error instanceof ConfigError && variable ? { fix: `export ${variable}=… in the environment brandwatch runs in (cron included)` } : {}),
      },
    ];
  }
  const checks: DoctorCheck[] = [{ area, name: 'credentials present', status: 'ok', detail: credentialsDetail(source) }];
  for (const check of built?.explain?.() ?? []) checks.push({ area, ...check });
  const { directMessagesCheck } = await import('../../sources/direct-messages.js');
  const dms = directMessagesCheck(source, built?.replies?.directMessages !== undefined);
  if (dms) checks.push({ area, ...dms });
  if (!built?.check) {
    checks.push({ area, name: 'endpoint reachable', status: 'ok', detail: 'no network check for this platform' });
    return checks;
  }
  try {
    for (const check of await built.check(ctx.signal)) checks.push({ area, ...check });
  } catch (error) {
    checks.push({ area, name: 'endpoint reachable', status: 'fail', detail: error instanceof Error ? error.message : String(error) });
  }
  return checks;
}

function credentialsDetail(source: Config['sources'][number]): string {
  const variables = Object.entries(source)
    .filter(([key, value]) => key.endsWith('Env') && typeof value === 'string')
    .map(([, value]) => value as string);
  return variables.length > 0 ? `${variables.join(', ')} set` : 'none needed';
}

/** How good the first guesses are on the person's own labels, and whether the classifier has adapted to them. */
async function checkClassifier(db: Engine): Promise<DoctorCheck> {
  const area = 'classifier';
  try {
    const [{ loadAdaptation }, { accuracyOnLabels, MIN_LABELS }] = await Promise.all([import('../../store/classifier.js'), import('../../triage/learning.js')]);
    const adapted = await loadAdaptation(db);
    const figures = await accuracyOnLabels(db);
    const accuracy = figures.accuracy === null ? 'no category set by hand yet' : `${Math.round(figures.accuracy * 100)}% right on your ${figures.labels} hand-set categories`;
    if (!adapted) {
      return { area, name: 'guesses', status: 'ok', detail: `the shipped model, not adapted yet (${accuracy}); \`learn\` adapts it from ${MIN_LABELS} labels on` };
    }
    return { area, name: 'guesses', status: 'ok', detail: `adapted from ${adapted.labelsUsed} of your labels; ${accuracy} (\`learn --eval\` per category)` };
  } catch (error) {
    // A database the next command migrates has no classifier tables yet.
    if (/no such (table|column)/.test((error as Error).message)) return { area, name: 'guesses', status: 'ok', detail: 'the shipped model (the database is migrated by the next command)' };
    throw error;
  }
}

async function checkUsage(ctx: Context, config: Config, db: Engine): Promise<DoctorCheck[]> {
  const { monthUsage } = await import('../../store/usage.js');
  const { sourceName } = await import('../../sources/index.js');
  const now = ctx.now();
  const checks: DoctorCheck[] = [];
  for (const source of config.sources) {
    const area = sourceName(source);
    let usage;
    try {
      usage = await monthUsage(db, area, now);
    } catch {
      // A database from before the usage table: nothing to report yet.
      continue;
    }
    const budget = source.monthlyReadBudget;
    const moneyBudget = source.monthlyBudget;
    // Money only where the platform bills it (X): spent, its projection, and the dollar budget.
    const money =
      source.platform === 'twitter'
        ? `; ${formatMoney(usage.costMicros / 1e6)}${moneyBudget !== undefined ? `/${formatMoney(moneyBudget)}` : ''} spent, projected ${formatMoney(usage.projectedCostMicros / 1e6)}`
        : '';
    const figures = `${usage.month}: ${usage.requests.toLocaleString('en')} requests, ${usage.postsRead.toLocaleString('en')}${budget ? `/${budget.toLocaleString('en')}` : ''} posts read, projected ${usage.projectedPostsRead.toLocaleString('en')} by month end${money}`;
    if (moneyBudget !== undefined && source.platform === 'twitter' && usage.projectedCostMicros > moneyBudget * 1e6) {
      const spent = usage.costMicros >= moneyBudget * 1e6;
      checks.push({
        area,
        name: 'monthly spend',
        status: 'warn',
        detail: `${formatMoney(usage.costMicros / 1e6)} of ${formatMoney(moneyBudget)} spent${spent ? ': the budget is spent, polls skip this source' : `, projected ${formatMoney(usage.projectedCostMicros / 1e6)}: on course to exceed it`}`,
        fix: 'poll less often, move @mentions to the mention timeline (userTokenEnv), narrow the keywords, or raise monthlyBudget',
      });
    }
    if (budget === undefined) checks.push({ area, name: 'monthly use', status: 'ok', detail: `${figures} (no monthlyReadBudget)` });
    else if (usage.postsRead >= budget) {
      checks.push({ area, name: 'monthly use', status: 'warn', detail: `${figures}: the budget is used up, polls skip this source`, fix: 'raise monthlyReadBudget or wait for next month' });
    } else if (usage.projectedPostsRead > budget) {
      checks.push({ area, name: 'monthly use', status: 'warn', detail: `${figures}: on course to exceed the budget`, fix: 'poll less often, narrow the keywords, or raise monthlyReadBudget' });
    } else checks.push({ area, name: 'monthly use', status: 'ok', detail: figures });
  }
  return checks;
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export async function run(ctx: Context): Promise<void> {
  const report = await doctor(ctx);
  if (ctx.io.json) ctx.io.outJson(report);
  else {
    const { color } = ctx.io;
    const paint = { ok: color.green, warn: color.yellow, fail: color.red };
    const width = Math.max(...report.checks.map((c) => c.area.length));
    for (const check of report.checks) {
      if (ctx.io.quiet && check.status === 'ok') continue;
      ctx.io.out(`${paint[check.status](MARK[check.status])} ${check.area.padEnd(width)}  ${check.name}: ${sanitizeLine(check.detail)}`);
      if (check.fix && check.status !== 'ok') ctx.io.out(`     ${' '.repeat(width)}  fix: ${sanitizeLine(check.fix)}`);
    }
    const summary =
      report.failures === 0 && report.warnings === 0
        ? 'everything looks fine'
        : `${report.failures} problem${report.failures === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}`;
    ctx.io.out(summary);
  }
  if (!report.ok) throw new RuntimeFailure('doctor found problems', { reported: true });
}
