/**
 * JSON for stdout. JSON.stringify escapes only C0 controls; C1 controls (U+009B is a one-byte CSI in some
 * terminals), bidi overrides and invisible direction marks from post texts would still reach the terminal
 * raw, so they are written as \u escapes: the same value for any JSON parser, harmless on a screen.
 */
const UNSAFE_IN_TERMINAL = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

export function toJson(value: unknown, compact = false): string {
  const text = JSON.stringify(value, null, compact ? undefined : 2) ?? 'null';
  return text.replace(UNSAFE_IN_TERMINAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
