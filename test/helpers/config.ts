/** The one config builder of the tests: a brandwatch YAML config from parts. */
export interface ConfigParts {
  brand?: string;
  timezone?: string;
  keywords?: (string | { term: string; exclude?: string[] })[];
  ownAccounts?: Record<string, string>;
  /** Each source's keys, `platform` first; test-speed retry and timeout settings are added unless given. */
  sources?: Record<string, string | number | boolean>[];
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
