import { uniqueDatabaseName } from './database-name';
import { withDatabase } from './pg-url';
import { quoteIdent, withClient } from './sql';

/**
 * Fills the template once per run, e.g. with init.sql or migrations. Roles are cluster-wide:
 * on a shared TEST_DATABASE_URL server they may already exist, so create them idempotently.
 */
export type PrepareTemplate = (templateUrl: string) => Promise<void>;

export async function createTemplate(serverUrl: string, prepare?: PrepareTemplate): Promise<string> {
  const name = uniqueDatabaseName('localdb_tmpl', '');
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  try {
    await prepare?.(withDatabase(serverUrl, name));
    // CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template; refusing
    // connections from now on keeps a stray client from breaking every suite's clone.
    await withClient(serverUrl, (client) => client.query(`ALTER DATABASE ${quoteIdent(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`));
  } catch (error) {
    await dropTemplate(serverUrl, name);
    throw error;
  }
  return name;
}

export async function dropTemplate(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) return;
    await client.query(`ALTER DATABASE ${quoteIdent(name)} WITH IS_TEMPLATE false`);
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}
