import 'server-only';

import type { PoolStats } from '@repo/tenancy';

import { tenancy } from '../tenancy';
import { listTenants } from './catalog';
import { serverConnections, type ServerConnections } from './storage';

export interface PoolView {
  /** This process's per-tenant pools (database tenants), with the cap they share. */
  pools: PoolStats;
  /** Pool key (tenant id) -> slug. */
  slugs: Map<string, string>;
  server: ServerConnections;
}

export async function poolView(): Promise<PoolView> {
  const [tenants, server] = await Promise.all([listTenants(), serverConnections()]);
  return { pools: tenancy().poolStats(), slugs: new Map(tenants.map((t) => [t.id, t.slug])), server };
}
