import { UsageError } from '../errors.js';

export interface TemplateValues {
  author: string;
  brand: string;
  url: string | null;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** Fill `{author}`, `{brand}` and `{url}`; any other placeholder is an error naming the template. */
export function fillTemplate(name: string, template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => {
    if (key === 'author') return values.author.replace(/^@/, '');
    if (key === 'brand') return values.brand;
    if (key === 'url') return values.url ?? '';
    throw new UsageError(`templates.${name}: unknown placeholder ${whole} (use {author}, {brand} or {url})`);
  });
}

export function templateNamed(templates: Record<string, string>, name: string): string {
  const template = templates[name];
  if (template === undefined) {
    const known = Object.keys(templates);
    throw new UsageError(`no template is called "${name}" (${known.length > 0 ? `configured: ${known.join(', ')}` : 'add one under templates: in the config'})`);
  }
  return template;
}
