import { Parser } from 'htmlparser2';

const BLOCK = new Set(['p', 'div', 'li', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol']);
const SKIP = new Set(['script', 'style']);

/**
 * Plain text of a Mastodon status's HTML `content`: paragraphs become blank-line breaks, `<br>` a
 * newline, entities are decoded, and links keep their full text (Mastodon's `invisible` spans included,
 * so URLs stay whole).
 */
export function statusText(html: string): string {
  let text = '';
  let skipping = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIP.has(name)) skipping++;
        if (name === 'br') text += '\n';
        else if (BLOCK.has(name) && text.length > 0 && !text.endsWith('\n\n')) text += text.endsWith('\n') ? '\n' : '\n\n';
      },
      ontext(data) {
        if (skipping === 0) text += data;
      },
      onclosetag(name) {
        if (SKIP.has(name)) skipping--;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return text
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
