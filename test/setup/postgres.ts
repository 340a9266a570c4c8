import { startPostgres } from '../helpers/postgres-server.js';

/**
 * One throw-away PostgreSQL server for the whole run, started before the test processes so each inherits
 * its URL (BRANDWATCH_TEST_POSTGRES); every test file makes its own database on it. Without server
 * binaries the PostgreSQL cases are skipped, and the reason is printed once here and on each skipped suite.
 */
export default async function setup(): Promise<() => void> {
  let server: Awaited<ReturnType<typeof startPostgres>>;
  try {
    server = await startPostgres({ log: (message) => process.stderr.write(`${message}\n`) });
  } catch (error) {
    // Binaries present but no server: the PostgreSQL suites fail with this reason; the others still run.
    process.env.BRANDWATCH_TEST_POSTGRES_ERROR = (error as Error).message;
    return () => {};
  }
  if ('skipped' in server) {
    process.env.BRANDWATCH_TEST_POSTGRES_SKIPPED = server.skipped;
    process.stderr.write(`PostgreSQL cases skipped: ${server.skipped}\n`);
    return () => {};
  }
  process.env.BRANDWATCH_TEST_POSTGRES = server.url;
  return () => server.stop();
}
