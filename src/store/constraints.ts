/** A constraint violation (unique key, check, trigger) on either engine: the error a store function expects when another writer won. */
export function isConstraintViolation(error: unknown): boolean {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  // SQLite's extended codes, or PostgreSQL's SQLSTATE class 23 (integrity constraint violation).
  return code.startsWith('SQLITE_CONSTRAINT') || /^23[0-9A-Z]{3}$/.test(code);
}
