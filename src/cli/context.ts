import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { Store } from '../store/open.js';
import { createIO, type IO } from '../io/streams.js';

export interface GlobalOptions {
  config?: string;
  db?: string;
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

/** Everything a command may use; built once per process, with fakes in tests. */
export interface Context {
  readonly io: IO;
  readonly env: NodeJS.ProcessEnv;
  readonly options: GlobalOptions;
  /** Epoch milliseconds; `BRANDWATCH_NOW` (ISO time) pins it for reproducible runs and tests. */
  now(): number;
  configPath(): string;
  config(): Promise<LoadedConfig>;
  dbPath(): Promise<string>;
  /** The config's time zone when there is a config, else the system's. */
  timeZone(): Promise<string>;
  store(): Promise<Store>;
  /** Aborted on SIGINT/SIGTERM: long commands stop at the next safe point. */
  readonly signal: AbortSignal;
  close(): void;
  /** The same process context with other global options (e.g. the demo's own config and database). */
  derive(overrides: Partial<GlobalOptions>, now?: () => number): Context;
}

export interface ContextDeps {
  options: GlobalOptions;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: { isTTY?: boolean };
  signal: AbortSignal;
  /** A clock of its own (the demo replays past polls); default: BRANDWATCH_NOW or the system clock. */
  now?: () => number;
}

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

export function createContext(deps: ContextDeps): Context {
  const { options, env } = deps;
  const io = createIO({ ...deps, color: options.color, quiet: options.quiet, verbose: options.verbose, json: options.json });
  let loaded: LoadedConfig | null = null;
  let store: Store | null = null;
  const pinned = env.BRANDWATCH_NOW ? Date.parse(env.BRANDWATCH_NOW) : null;

  const context: Context = {
    io,
    env,
    options,
    signal: deps.signal,
    now: deps.now ?? (() => (pinned !== null && !Number.isNaN(pinned) ? pinned : Date.now())),
    configPath: () => options.config ?? env.BRANDWATCH_CONFIG ?? defaultConfigPath(env),
    async config() {
      if (!loaded) {
        const { loadConfig } = await import('../config/load.js');
        loaded = loadConfig(context.configPath());
        for (const warning of loaded.warnings) io.warn(warning);
      }
      return loaded;
    },
    async dbPath() {
      const explicit = options.db ?? env.BRANDWATCH_DB;
      if (explicit) return explicit;
      const configPath = context.configPath();
      if (existsSync(configPath)) {
        const { config, path } = await context.config();
        if (config.database) {
          const { resolveFromConfig } = await import('../config/load.js');
          return resolveFromConfig(path, config.database);
        }
      }
      return defaultDbPath(env);
    },
    async timeZone() {
      const { systemTimeZone } = await import('../time/zone.js');
      if (!existsSync(context.configPath())) return systemTimeZone();
      return (await context.config()).config.timezone ?? systemTimeZone();
    },
    async store() {
      if (!store) {
        const path = await context.dbPath();
        const { openStore } = await import('../store/open.js');
        const { permissionWarnings } = await import('../io/permissions.js');
        store = openStore(path);
        for (const warning of permissionWarnings(path, 'database')) io.warn(warning);
      }
      return store;
    },
    close() {
      store?.close();
      store = null;
    },
    derive(overrides, now) {
      return createContext({ ...deps, options: { ...options, ...overrides }, ...(now ? { now } : {}) });
    },
  };
  return context;
}
