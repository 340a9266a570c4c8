/** A `postgres://` or `postgresql://` URL selects the PostgreSQL engine; anything else is a SQLite file path. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
