import type { AppTenancy } from '@repo/db/tenancy';
import { WRITER_USER } from './writer';

/** The canary: an rls tenant beside every round's tenant, holding rows no other tenant may see. */
export const CANARY = 'canary';
export const CANARY_ROWS = 5;

export async function plantCanary(tenancy: AppTenancy): Promise<void> {
  await tenancy.createTenant({ slug: CANARY, name: 'Canary', strategy: 'rls' });
  await tenancy.withTenant(CANARY, (tx) => tx.query(`insert into projects (name) select 'canary ' || g from generate_series(1, $1::int) g`, [CANARY_ROWS]), {
    role: 'admin',
    userId: WRITER_USER,
  });
}

/**
 * Rows one tenant sees that are not its own: the canary's rows seen from `slug`, `slug`'s rows seen from the canary, and
 * rows in `slug`'s own view with another tenant's id. Asked as the app role, as any request would.
 */
export async function foreignRows(tenancy: AppTenancy, slug: string): Promise<number> {
  const tenant = await tenancy.getTenant(slug);
  const own = await tenancy.queryAs<{ n: number }>(slug, `select count(*)::int as n from projects where starts_with(name, 'canary ') or tenant_id <> $1`, [
    tenant.id,
  ]);
  const canary = await tenancy.queryAs<{ mine: number; others: number }>(
    CANARY,
    `select count(*) filter (where starts_with(name, 'canary '))::int as mine, count(*) filter (where not starts_with(name, 'canary '))::int as others from projects`,
  );
  return own.rows[0]!.n + canary.rows[0]!.others + Math.abs(CANARY_ROWS - canary.rows[0]!.mine);
}

/** The tenant is active and a write through withTenant reads back: the rerun left it serving. */
export async function serves(tenancy: AppTenancy, slug: string): Promise<boolean> {
  try {
    if ((await tenancy.getTenant(slug)).status !== 'active') return false;
    const name = `serves ${Date.now()}`;
    await tenancy.withTenant(slug, (tx) => tx.query('insert into projects (name) values ($1)', [name]), { role: 'admin', userId: WRITER_USER });
    const { rows } = await tenancy.queryAs<{ n: number }>(slug, 'select count(*)::int as n from projects where name = $1', [name]);
    return rows[0]!.n === 1;
  } catch {
    return false;
  }
}
