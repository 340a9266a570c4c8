import { existsSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import type { Store } from '../store/open.js';
import { isPostgresUrl } from '../store/postgres-url.js';
import { setTimeout as delay } from 'node:timers/promises';
import { createIO, type IO } from '../io/streams.js';
import { terminalPrompter, type Prompter } from '../io/prompter.js';
import { systemBrowser, type BrowserOpener } from '../io/browser.js';
import { systemEditor, type TextEditor } from '../io/editor.js';
import type { Source } from '../sources/types.js';

export interface GlobalOptions {
  config?: string;
  db?: string;
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  /** Who is acting (`--as`): the person recorded on changes, replies and claims. */
  as?: string;
}

/** Everything a command may use; built once per process, with fakes in tests. */
export interface Context {
  readonly io: IO;
  readonly env: NodeJS.ProcessEnv;
  readonly options: GlobalOptions;
  /** The product's clock (mention ages, SLA deadlines, sent times): epoch ms; `BRANDWATCH_NOW` (ISO time) pins it. */
  now(): number;
  /** Monotonic milliseconds for pacing (watch's interval), apart from `now` so a pinned clock still lets time pass. */
  elapsed(): number;
  /** Wait, returning early when the command is being stopped. */
  sleep(ms: number): Promise<void>;
  /** Questions in the terminal (init, triage). */
  readonly prompter: Prompter;
  /** Opens a link in the person's browser. */
  openBrowser(url: string): boolean;
  /** Edits a text in $VISUAL/$EDITOR (the reply composer's `e`); resolves with the saved text. */
  editText(text: string): Promise<string>;
  /** The person acting: `--as`, else BRANDWATCH_AS, else the login name; recorded in the audit trail, on replies and claims. */
  person(): string;
  /** The configured sources (only one platform or source name when given), built once per command. */
  sources(only?: string): Promise<Source[]>;
  configPath(): string;
  /** A brandwatch command line for a hint, carrying the --config and --db the person passed. */
  invocation(...args: string[]): string;
  /** Whether there is a config to read: false only when none was asked for and the default is absent; a named one that is missing is an error. */
  hasConfig(): boolean;
  config(): Promise<LoadedConfig>;
  dbPath(): Promise<string>;
  /** The config's time zone when there is a config, else the system's. */
  timeZone(): Promise<string>;
  store(): Promise<Store>;
  /** Aborted on SIGINT/SIGTERM: long commands stop at the next safe point. */
  readonly signal: AbortSignal;
  close(): Promise<void>;
  /** The same process context with other global options (e.g. the demo's own config and database). */
  derive(overrides: Partial<GlobalOptions>, now?: () => number): Context;
}

export interface ContextDeps {
  options: GlobalOptions;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  signal: AbortSignal;
  /** A clock of its own (the demo replays past polls, tests fix it); default: BRANDWATCH_NOW or the system clock. */
  now?: () => number;
  /** Pacing and waiting (tests make them instant); default: the process's monotonic clock and timers. */
  elapsed?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  prompter?: Prompter;
  openBrowser?: BrowserOpener;
  editText?: TextEditor;
  /** The command being run: decides whether it may create the database (poll, watch) or nothing at all. */
  command?: string;
}

/** Commands that only read the database: opened read-only, never migrated or switched to WAL. */
const READS_DATABASE_ONLY = new Set(['list', 'show', 'report', 'export', 'alerts']);

/** Commands that may create the database file when it is absent (in an existing folder). */
const CREATES_DATABASE = new Set(['poll', 'watch', 'demo', 'post']);

function xdg(env: NodeJS.ProcessEnv, variable: 'XDG_CONFIG_HOME' | 'XDG_DATA_HOME', fallback: string): string {
  const value = env[variable];
  return value && value.startsWith('/') ? value : join(env.HOME || homedir(), fallback);
}

export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  return join(xdg(env, 'XDG_CONFIG_HOME', '.config'), 'brandwatch', 'config.yml');
}

export function defaultDbPath(env: NodeJS.ProcessEnv): string {
  return join(xdg(env, 'XDG_DATA_HOME', '.local/share'), 'brandwatch', 'brandwatch.db');
}

/**
 * A database path the person mistyped must not grow folders and an empty database: only the default data
 * folder is ours to create, and only `poll`/`watch` start a new database (init and demo make their own places).
 */
function checkDatabasePlace(path: string, defaultPath: string, command: string | undefined, invocation: (...args: string[]) => string): void {
  if (path === ':memory:' || isPostgresUrl(path) || existsSync(path)) return;
  const folder = dirname(path);
  if (existsSync(folder) && !statSync(folder).isDirectory()) {
    throw new UsageError(`${path}: ${folder} is a file, not a folder; fix --db / BRANDWATCH_DB or the config's \`database\``);
  }
  if (!existsSync(folder) && path !== defaultPath) {
    throw new UsageError(`${path}: the folder ${folder} does not exist; fix --db / BRANDWATCH_DB or the config's \`database\`, or create the folder`);
  }
  if (!CREATES_DATABASE.has(command ?? '')) {
    throw new UsageError(`${path}: no database here yet; run \`${invocation('poll')}\` first (or fix --db / BRANDWATCH_DB)`);
  }
}

/** Longest person name: a name, not a paragraph (it shows in every history line). */
const PERSON_MAX = 64;

/**
 * The person acting: `--as`, else BRANDWATCH_AS (BRANDWATCH_ACTOR, its older name), else the login name.
 * A name is one line of printable text: anything else is a usage error naming the fix.
 */
export function personName(as: string | undefined, env: NodeJS.ProcessEnv): string {
  const given = as ?? env.BRANDWATCH_AS;
  // The older variable is taken as it is, as before (what it names is sanitised wherever it is shown).
  if (given === undefined) return env.BRANDWATCH_ACTOR || env.USER || env.LOGNAME || loginName() || 'person';
  return checkPerson(given, as !== undefined ? '--as' : 'BRANDWATCH_AS');
}

/** A person's name as typed (`--as`, `assign <id> <person>`): one line of printable text, trimmed. */
export function checkPerson(given: string, from: string): string {
  const name = given.trim();
  if (name === '') throw new UsageError(`${from} is empty; give the name your team knows the person by, e.g. kim`);
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(name)) throw new UsageError(`${from}: the name has control characters; give a plain name, e.g. kim`);
  if ([...name].length > PERSON_MAX) throw new UsageError(`${from}: the name is longer than ${PERSON_MAX} characters; give a short name, e.g. kim`);
  return name;
}

function loginName(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

function urlPassword(url: string | undefined): string[] {
  if (!url || !isPostgresUrl(url)) return [];
  try {
    const password = new URL(url).password;
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}

export function createContext(deps: ContextDeps): Context {
  const { options, env } = deps;
  const io = createIO({
    stdout: deps.stdout,
    stderr: deps.stderr,
    // Read when asked: the process's stdin is built only by the commands that look at it.
    stdin: { get isTTY() { return deps.stdin.isTTY; } },
    env,
    color: options.color,
    quiet: options.quiet,
    verbose: options.verbose,
    json: options.json,
  });
  // A PostgreSQL URL given with its password (--db, BRANDWATCH_DB): the password is masked in all output.
  io.redactor.add([options.db, env.BRANDWATCH_DB].flatMap((url) => urlPassword(url)));
  let loaded: LoadedConfig | null = null;
  let prompter: Prompter | undefined;
  let store: Store | null = null;
  const sources = new Map<string, Promise<Source[]>>();
  const openBrowser = deps.openBrowser ?? systemBrowser(env);
  const sleep = deps.sleep ?? ((ms: number, signal: AbortSignal) => delay(Math.max(0, ms), undefined, { signal }).catch(() => undefined));
  const pinned = env.BRANDWATCH_NOW ? Date.parse(env.BRANDWATCH_NOW) : null;

  const context: Context = {
    io,
    env,
    options,
    signal: deps.signal,
    now: deps.now ?? (() => (pinned !== null && !Number.isNaN(pinned) ? pinned : Date.now())),
    elapsed: deps.elapsed ?? (() => performance.now()),
    sleep: (ms) => sleep(ms, deps.signal),
    get prompter() {
      return (prompter ??= deps.prompter ?? terminalPrompter({ input: deps.stdin, output: deps.stdout }));
    },
    openBrowser: (url) => openBrowser(url),
    editText: (text) => (deps.editText ?? systemEditor(env))(text),
    sources(only) {
      const key = only ?? '';
      let built = sources.get(key);
      if (!built) {
        built = (async () => {
          const { config, path } = await context.config();
          const { buildSources } = await import('../sources/index.js');
          return buildSources(config, { env, configPath: path, now: () => context.now() }, only);
        })();
        sources.set(key, built);
      }
      return built;
    },
    person: () => personName(options.as, env),
    configPath: () => options.config ?? env.BRANDWATCH_CONFIG ?? defaultConfigPath(env),
    invocation: (...args) => {
      const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
      // A URL's password is never repeated in a hint (PGPASSWORD or ~/.pgpass supply it).
      const db = options.db?.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1@');
      const globals = [...(options.config ? ['--config', options.config] : []), ...(db ? ['--db', db] : [])];
      return ['brandwatch', ...globals, ...args].map(quote).join(' ');
    },
    hasConfig() {
      const path = context.configPath();
      if (existsSync(path)) return true;
      if (options.config ?? env.BRANDWATCH_CONFIG) {
        throw new ConfigError(`${path}: no config file here; create one with \`brandwatch init\`, or fix --config / BRANDWATCH_CONFIG`);
      }
      return false;
    },
    async config() {
      if (!loaded) {
        const { loadConfigCached, configCache, secretVariables } = await import('../config/cached.js');
        loaded = await loadConfigCached(context.configPath(), configCache(env));
        io.redactor.add([...secretVariables(loaded.config), 'PGPASSWORD'].map((name) => env[name]));
        for (const warning of loaded.warnings) io.warn(warning);
      }
      return loaded;
    },
    async dbPath() {
      const explicit = options.db ?? env.BRANDWATCH_DB;
      if (explicit) return explicit;
      if (context.hasConfig()) {
        const { config, path } = await context.config();
        if (config.database) {
          const { databaseFromConfig } = await import('../config/load.js');
          return databaseFromConfig(path, config.database);
        }
      }
      return defaultDbPath(env);
    },
    async timeZone() {
      const { systemTimeZone } = await import('../time/zone.js');
      if (!context.hasConfig()) return systemTimeZone();
      return (await context.config()).config.timezone ?? systemTimeZone();
    },
    async store() {
      if (!store) {
        const path = await context.dbPath();
        checkDatabasePlace(path, defaultDbPath(env), deps.command, context.invocation);
        const { openStore } = await import('../store/open.js');
        const { permissionWarnings } = await import('../io/permissions.js');
        store = await openStore(path, { readOnly: READS_DATABASE_ONLY.has(deps.command ?? '') });
        if (!isPostgresUrl(path)) for (const warning of permissionWarnings(path, 'database')) io.warn(warning);
      }
      return store;
    },
    async close() {
      const open = store;
      store = null;
      await open?.close();
    },
    derive(overrides, now) {
      return createContext({ ...deps, options: { ...options, ...overrides }, ...(now ? { now } : {}) });
    },
  };
  return context;
}
