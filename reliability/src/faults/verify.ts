import type { AppTenancy } from '@repo/db/tenancy';
import type { FaultDeployment, LoadTenant } from './deployment';
import type { Load } from './load';

export interface Tally {
  tenants: number;
  acked: number;
  /** Acknowledged writes missing (the project, its task, or both). */
  lost: number;
  /** A project without its task or a task without its project: a transaction that half committed. */
  halves: number;
  /** Rows of another tenant, or markers no writer of this tenant ever tried. */
  foreign: number;
  /** Failed writes that committed all the same (allowed: the answer was lost, not the write). */
  inDoubtPresent: number;
}

/** What every tenant of `tenants` holds now, read as the app role through the library, against what the load acknowledged. */
export async function tallyWrites(tenancy: AppTenancy, tenants: readonly LoadTenant[], load: Load): Promise<Tally> {
  const tally: Tally = { tenants: tenants.length, acked: 0, lost: 0, halves: 0, foreign: 0, inDoubtPresent: 0 };
  for (const tenant of tenants) {
    const { projects, tasks } = await tenancy.withTenant(
      tenant.slug,
      async (tx) => ({
        projects: (await tx.query<{ tenant_id: string; name: string }>('SELECT tenant_id, name FROM projects')).rows,
        tasks: (await tx.query<{ tenant_id: string; title: string }>('SELECT tenant_id, title FROM tasks')).rows,
      }),
      { role: 'admin' },
    );
    const acked = load.acked.get(tenant.slug) ?? new Set<string>();
    const inDoubt = load.inDoubt.get(tenant.slug) ?? new Set<string>();
    const projectNames = new Set(projects.map((p) => p.name));
    const taskTitles = new Set(tasks.map((t) => t.title));
    tally.acked += acked.size;
    for (const marker of acked) if (!projectNames.has(marker) || !taskTitles.has(marker)) tally.lost++;
    for (const name of projectNames) if (!taskTitles.has(name)) tally.halves++;
    for (const title of taskTitles) if (!projectNames.has(title)) tally.halves++;
    for (const row of [...projects.map((p) => ({ id: p.tenant_id, marker: p.name })), ...tasks.map((t) => ({ id: t.tenant_id, marker: t.title }))]) {
      if (row.id !== tenant.id || !(acked.has(row.marker) || inDoubt.has(row.marker))) tally.foreign++;
    }
    for (const marker of inDoubt) if (projectNames.has(marker)) tally.inDoubtPresent++;
  }
  return tally;
}

export interface Leaks {
  /** Server connections of the app's roles left inside a transaction with nothing running. */
  idleInTransaction: number;
  /** Connections the library's per-tenant pools still count as checked out. */
  checkedOut: number;
  /** Server connections of the app's roles open now. */
  appConnections: number;
}

/** Asked once the load has stopped: nothing should be left checked out or inside a transaction. */
export async function findLeaks(deployment: FaultDeployment, tenancy: AppTenancy = deployment.tenancy): Promise<Leaks> {
  const roles = ['app_user', ...deployment.tenants.flatMap((t) => (t.strategy === 'database' && t.roleName ? [t.roleName] : []))];
  const rows = await deployment.superuser<{ state: string | null; n: number }>(
    'SELECT state, count(*)::int AS n FROM pg_stat_activity WHERE usename = ANY($1::text[]) GROUP BY state',
    [roles],
  );
  const stats = tenancy.poolStats();
  return {
    idleInTransaction: rows.filter((r) => r.state?.startsWith('idle in transaction')).reduce((n, r) => n + r.n, 0),
    checkedOut: stats.pools.reduce((n, p) => n + p.checkedOut, 0),
    appConnections: rows.reduce((n, r) => n + r.n, 0),
  };
}

export function leakFree(leaks: Leaks): boolean {
  return leaks.idleInTransaction === 0 && leaks.checkedOut === 0;
}

export function tallyHolds(t: Tally): boolean {
  return t.lost === 0 && t.halves === 0 && t.foreign === 0 && t.acked > 0;
}
