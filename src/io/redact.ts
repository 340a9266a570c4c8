/** Shorter values are too likely to appear by chance (and too weak to be real secrets). */
const MIN_SECRET_LENGTH = 6;

/**
 * Masks known secret values wherever they appear: a server may echo the Authorization header in an error
 * body, and that text must not reach the terminal, logs or `--json`.
 */
export class Redactor {
  private secrets: string[] = [];

  add(values: Iterable<string | undefined>): void {
    for (const value of values) {
      const secret = value?.trim();
      if (!secret || secret.length < MIN_SECRET_LENGTH || this.secrets.includes(secret)) continue;
      this.secrets.push(secret);
      // Longest first, so a secret containing another is masked whole.
      this.secrets.sort((a, b) => b.length - a.length);
    }
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join('[redacted]');
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && result.includes(encoded)) result = result.split(encoded).join('[redacted]');
    }
    return result;
  }
}
