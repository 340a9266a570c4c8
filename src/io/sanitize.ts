/**
 * Text from platforms is untrusted: it may carry terminal escape sequences
 * (OSC 52 clipboard writes, screen clears, title changes) or bidi overrides.
 * These helpers make it safe to print.
 */

// CSI, OSC (terminated by BEL or ST), DCS/SOS/PM/APC strings, and lone two-byte escapes.
const ESCAPE_SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][\s\S]*?(?:\x07|\x1b\\|$)|\x1b[PX^_][\s\S]*?(?:\x1b\\|$)|\x9b[0-?]*[ -/]*[@-~]|\x9d[\s\S]*?(?:\x07|\x9c|$)|\x1b[@-Z\\-_]?/g;
// C0 and C1 controls except tab and newline; DEL.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// Bidi embedding/override/isolate controls and the invisible direction marks (LRM, RLM, ALM) that can reorder a line.
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
// Lone surrogates cannot be encoded; replace them rather than crash a writer.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Remove escape sequences and control characters; keeps newlines and tabs. */
export function sanitizeText(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(CONTROL, '')
    .replace(BIDI, '')
    .replace(LONE_SURROGATE, '\ufffd');
}

/** Sanitised and folded onto one line (tables, summaries). */
export function sanitizeLine(text: string): string {
  return sanitizeText(text).replace(/\s+/g, ' ').trim();
}

/** Shorten to `max` code points, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}
