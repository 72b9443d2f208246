import type { AppTenancy } from '@repo/db/tenancy';
import type { StrategyName } from '@repo/tenancy';
import pg from 'pg';
import { prepareDeployment, startServer, type ReliabilityServer } from '../harness/server';
import type { Mode } from '../part';

/** A tenant the load writes to, as the faults see it. */
export interface LoadTenant {
  slug: string;
  id: string;
  strategy: StrategyName;
  /** The database of its own (database strategy), and the role that serves it there; null otherwise. */
  databaseName: string | null;
  roleName: string | null;
}

export interface FaultDeployment {
  server: ReliabilityServer;
  /** The app's tenancy: created once, never recreated, whatever the faults do. */
  tenancy: AppTenancy;
  urls: Awaited<ReturnType<typeof prepareDeployment>>['urls'];
  tenants: LoadTenant[];
  /** One statement as the superuser on `saas` (a fresh connection: the server may have restarted). */
  superuser<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** Tenants per strategy: enough for "the others keep serving" to mean something on each placement. */
const PER_STRATEGY: Record<Mode, number> = { short: 2, full: 3 };

/**
 * One server of the part's own and the product's deployment on it, with tenants of all three
 * strategies. A short catalog cache so a delete's wait for other processes is short.
 */
export async function startFaultDeployment(workDir: string, mode: Mode): Promise<FaultDeployment> {
  const server = await startServer(workDir);
  try {
    const { urls, tenancy } = await prepareDeployment(server, workDir, { catalogCacheMs: 300 });
    const tenants: LoadTenant[] = [];
    for (const strategy of ['rls', 'schema', 'database'] as const) {
      for (let i = 0; i < PER_STRATEGY[mode]; i++) {
        const made = await tenancy.createTenant({ slug: `f_${strategy}_${i}`, name: `faults ${strategy} ${i}`, strategy });
        tenants.push({ slug: made.slug, id: made.id, strategy, databaseName: made.databaseName, roleName: made.roleName });
      }
    }
    const superuser = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
      const client = new pg.Client({ connectionString: server.url() });
      await client.connect();
      try {
        return (await client.query<R>(text, values)).rows;
      } finally {
        await client.end();
      }
    };
    return {
      server,
      tenancy,
      urls,
      tenants,
      superuser,
      close: async () => {
        await closeWithin(tenancy, CLOSE_LIMIT_MS).catch(() => undefined);
        await server.destroy();
      },
    };
  } catch (error) {
    await server.destroy();
    throw error;
  }
}

/** How long tenancy.close() may take: it waits for every checked-out connection, and one a fault left stuck would hold the run. */
export const CLOSE_LIMIT_MS = 30_000;

/** tenancy.close(), or an error once `ms` have passed without it finishing. */
export async function closeWithin(tenancy: AppTenancy, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      tenancy.close(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`tenancy.close() did not finish in ${ms / 1000} s: a connection is still checked out`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
