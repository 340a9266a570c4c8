export interface PostgresServer {
  /** The superuser's URL on the `postgres` database (with its generated password). */
  url: string;
  /** The URL without a database: append `/name`. */
  base: string;
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): void;
}
export function findServerBinaries(): { initdb: string; pgCtl: string } | null;
export function startPostgres(options?: { log?: (message: string) => void }): Promise<PostgresServer | { skipped: string }>;
