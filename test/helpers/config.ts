/** The one config builder of the tests: a brandwatch YAML config from parts. */
export interface ConfigParts {
  brand?: string;
  timezone?: string;
  keywords?: (string | { term: string; exclude?: string[] })[];
  ownAccounts?: Record<string, string>;
  /** Each source's keys (test-speed retry and timeout settings are added unless given), or a block from `sourceBlock`. */
  sources?: (Record<string, string | number | boolean> | string)[];
  /** Top-level YAML appended as is (sla, businessHours, alerts, templates…). */
  extra?: string;
}

const FAST = { retry: '{ attempts: 3, baseDelay: 10ms }', timeout: '2s' };

function scalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  // Flow mappings and lists pass through; everything else is a quoted string.
  return /^[{[]/.test(value) ? value : JSON.stringify(value);
}

export function configText(parts: ConfigParts = {}): string {
  const own = Object.entries(parts.ownAccounts ?? {});
  const keywords = parts.keywords ?? ['acme'];
  const sources = (parts.sources ?? []).map((source) => {
    if (typeof source === 'string') return source;
    const keys: Record<string, string | number | boolean> = { ...(source.platform === 'sample' ? {} : FAST), ...source };
    const { platform, ...rest } = keys;
    return [`  - platform: ${platform}`, ...Object.entries(rest).map(([k, v]) => `    ${k}: ${k === 'retry' || k === 'timeout' ? v : scalar(v)}`)].join('\n');
  });
  return [
    `brand: ${parts.brand ?? 'Acme'}`,
    `timezone: ${parts.timezone ?? 'UTC'}`,
    'keywords:',
    ...keywords.map((k) =>
      typeof k === 'string' ? `  - term: ${JSON.stringify(k)}` : `  - term: ${JSON.stringify(k.term)}${k.exclude ? `\n    exclude: ${JSON.stringify(k.exclude)}` : ''}`,
    ),
    ...(own.length > 0 ? ['ownAccounts:', ...own.map(([p, h]) => `  ${p}: ${h}`)] : []),
    ...(sources.length > 0 ? ['sources:', ...sources] : []),
    ...(parts.extra ? [parts.extra.trimEnd()] : []),
    '',
  ].join('\n');
}

/** One `sources:` entry with string values quoted, the test-speed settings, and any raw YAML lines of the source's own. */
export function sourceBlock(platform: string, keys: Record<string, string | number | boolean>, raw: string[] = []): string {
  const lines = [`platform: ${platform}`, ...Object.entries(keys).map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : v}`), `retry: ${FAST.retry}`, `timeout: ${FAST.timeout}`, ...raw];
  return lines.map((line, i) => `${i === 0 ? '  - ' : '    '}${line}`).join('\n');
}
