/** A config file as read from disk, before YAML and the schema: its text, and what every loader returns. */
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { Config } from './schema.js';

export interface LoadedConfig {
  config: Config;
  path: string;
  /** Warnings that do not stop the command (e.g. permissions). */
  warnings: string[];
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** The text of a config file; only a regular file of sane size (a FIFO would block, a device read for ever). */
export function readConfigText(path: string): string {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new ConfigError(`${path}: not a regular file; pass --config <file> with a YAML config file`);
    if (stat.size > MAX_CONFIG_BYTES) throw new ConfigError(`${path}: ${stat.size} bytes is too large for a config file (at most 1 MiB); check --config`);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(`${path}: no config file here; create one with \`brandwatch init\` or pass --config <file>`);
    }
    throw new ConfigError(`${path}: cannot read the config file (${code ?? String(error)})`);
  }
}

/** Names of the environment variables the config says hold secrets (every `…Env` key, at any depth). */
export function secretVariables(config: Config): string[] {
  const names: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key.endsWith('Env') && typeof inner === 'string') names.push(inner);
        else walk(inner);
      }
    }
  };
  walk(config);
  return names;
}
