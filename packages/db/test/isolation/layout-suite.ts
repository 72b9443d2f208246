import type { StrategyName, Tenant } from '@repo/tenancy';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { PreparedDatabase, SuiteServer } from '../support';
import type { Fixture } from './fixture';
import { queryAt } from './placement';
import { SECOND } from './second-server';

/**
 * For a suite run with tenants on two servers: proof that they really are where the layout says, so the suite's
 * attacks were made on the second server and not, by some fallback, on the primary. The catalog, the library's Tenant,
 * and the servers' own catalogs (pg_database, pg_namespace) must all agree.
 */
export function describeLayout(strategy: StrategyName, prepared: () => PreparedDatabase, fixture: () => Fixture): void {
  describe(`${strategy}: layout`, () => {
    it(`A and B are placed on server "${SECOND}", the canary on the primary`, async () => {
      const { a, b, canary } = fixture();
      const { tenancy, admin } = prepared();
      for (const f of [a, b]) {
        expect(f.tenant.server).toBe(SECOND);
        expect((await tenancy.getTenant(f.tenant.slug))?.server).toBe(SECOND);
      }
      expect(canary.tenant.server).toBe('primary');
      const { rows } = await admin.query<{ slug: string; server: string | null }>('select slug, server from tenancy.tenants where id = any($1) order by slug', [
        [a.tenant.id, b.tenant.id, canary.tenant.id],
      ]);
      expect(rows).toEqual([
        { slug: a.tenant.slug, server: SECOND },
        { slug: b.tenant.slug, server: SECOND },
        { slug: canary.tenant.slug, server: null },
      ]);
    });

    it(`the placements (for rls: the rows) of A and B exist on server "${SECOND}" and not on the primary; the canary's the other way round`, async () => {
      const { a, b, canary } = fixture();
      const { db, second } = prepared();
      for (const f of [a, b]) {
        expect(await placementExists(second!, f.tenant)).toBe(true);
        expect(await placementExists(db, f.tenant)).toBe(false);
      }
      expect(await placementExists(db, canary.tenant)).toBe(true);
      expect(await placementExists(second!, canary.tenant)).toBe(false);
    });

    it(`the catalog is the primary's only; server "${SECOND}" holds a shard of the shared tables, its RLS forced`, async () => {
      const probe = `select to_regclass('tenancy.tenants')::text as catalog, to_regclass('public.projects')::text as shared,
        to_regprocedure('tenancy.current_tenant_id()')::text as context,
        (select relrowsecurity and relforcerowsecurity from pg_class where oid = to_regclass('public.projects')) as forced`;
      expect((await queryAt(prepared().second!.url, probe)).rows).toEqual([
        { catalog: null, shared: 'projects', context: 'tenancy.current_tenant_id()', forced: true },
      ]);
      expect((await queryAt(prepared().db.url, probe)).rows).toEqual([
        { catalog: 'tenancy.tenants', shared: 'projects', context: 'tenancy.current_tenant_id()', forced: true },
      ]);
    });

    if (strategy === 'schema') {
      it("from A's transaction the canary's schema and role, on the primary, cannot even be named", async () => {
        const { a, canary } = fixture();
        const attempt = (sql: string) =>
          prepared().tenancy.withTenant(
            a.tenant.slug,
            async (tx) => {
              await tx.query('savepoint probe');
              const outcome = await tx.query(sql).then(
                () => 'answered',
                (e: { code?: string }) => e.code,
              );
              await tx.query('rollback to savepoint probe');
              return outcome;
            },
            { role: 'admin', userId: a.admin },
          );
        // 42P01: no such table (its schema is not there); 22023: no such role. Neither exists on A's server.
        expect(await attempt(`select * from ${pg.escapeIdentifier(canary.tenant.schemaName)}.projects`)).toBe('42P01');
        expect(await attempt(`set local role ${pg.escapeIdentifier(canary.tenant.roleName!)}`)).toBe('22023');
      });
    }
  });
}

/**
 * Whether the tenant's placement is on the server, as its catalog says: its database (database strategy), its schema
 * (schema strategy), or its rows in the shared tables (rls, counted by the superuser, whom RLS does not filter here).
 */
async function placementExists(server: SuiteServer, tenant: Tenant): Promise<boolean> {
  if (tenant.strategy === 'rls') {
    const { rows } = await queryAt(server.url, 'select count(*)::int as n from public.projects where tenant_id = $1', [tenant.id]);
    return rows[0]!.n > 0;
  }
  const { rows } = tenant.databaseName
    ? await queryAt(server.url, 'select 1 from pg_database where datname = $1', [tenant.databaseName])
    : await queryAt(server.url, 'select 1 from pg_namespace where nspname = $1', [tenant.schemaName]);
  return rows.length === 1;
}
