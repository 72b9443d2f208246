import pg from 'pg';

/**
 * The databases initdb makes that a client may connect to. PostgreSQL lets every role (PUBLIC)
 * connect to them, so a login role of an application that keeps its roles to their own databases
 * (a database-per-tenant deployment) can still reach these two. Only a cluster this project
 * creates and owns is closed this way: the embedded dev cluster, the test harness's own server.
 */
export const MAINTENANCE_DATABASES = ['postgres', 'template1'] as const;

/**
 * Revokes CONNECT on `postgres` and `template1` from PUBLIC, as the superuser of `superuserUrl`.
 * Superusers still connect; CREATE DATABASE still copies template1 (it needs CREATEDB, not
 * CONNECT). Idempotent.
 */
export async function closeMaintenanceDatabases(superuserUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    for (const database of MAINTENANCE_DATABASES) await client.query(`REVOKE CONNECT ON DATABASE ${database} FROM PUBLIC`);
  } finally {
    await client.end();
  }
}
