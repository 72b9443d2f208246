import 'server-only';

import pg from 'pg';

import { serverEnv } from '@/env';

// The admin app's runtime role, app_operator: every read of this app goes through this pool (catalog, sizes,
// connections, operators) and so do the writes it is granted (users, memberships). Never the owner role:
// provisioning, deletion and migrations go through the tenancy library (src/server/tenancy.ts).

// Kept on globalThis so that `next dev` reloading this module does not open a second pool.
const holder = globalThis as typeof globalThis & { __adminOperatorPool?: pg.Pool };

export function operatorDb(): pg.Pool {
  if (!holder.__adminOperatorPool) {
    const pool = new pg.Pool({ connectionString: serverEnv().OPERATOR_DATABASE_URL, max: 4, idleTimeoutMillis: 30_000, application_name: 'admin:operator' });
    // An idle client's connection error must not crash the process; the next checkout reconnects.
    pool.on('error', () => undefined);
    holder.__adminOperatorPool = pool;
  }
  return holder.__adminOperatorPool;
}

/** One statement as app_operator. */
export async function operatorQuery<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const { rows } = await operatorDb().query<R>(text, values);
  return rows;
}

/** A transaction as app_operator; rolled back when fn throws. */
export async function operatorTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await operatorDb().connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
