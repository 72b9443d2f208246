import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKey, signContext } from '../../src/context/token';
import type { Tenancy, Tenant } from '../../src/index';
import { CONTEXT_SECRET } from '../support';
import { anotherProcess, useServers } from './support';

const suite = useServers({ label: 'srv_rotate' });
/**
 * Each database's overlap runs from when the rotation wrote its key, and b's database comes first, well before the
 * rotation returns on a loaded machine: long enough that the checks during it are surely inside it.
 */
const OVERLAP_SECONDS = 8;
const NEW_SECRET = 'the-rotated-context-secret-across-servers-0123456789';

describe('rotateContextSecret() across servers', () => {
  const tenants: Tenant[] = [];
  let next: Tenancy;
  beforeAll(async () => {
    const { tenancy } = suite();
    for (const [slug, strategy, server] of [
      ['r_rls', 'rls', 'primary'],
      ['r_b_schema', 'schema', 'b'],
      ['r_b_db', 'database', 'b'],
    ] as const) {
      tenants.push(await tenancy.createTenant({ slug, name: slug, strategy, server }));
      await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('one')`), { role: 'admin' });
    }
    // A process started with the new secret, as the rotation procedure has it.
    next = anotherProcess(suite(), { contextSecret: NEW_SECRET });
  });
  afterAll(async () => {
    await next?.close();
  });

  /** Rows a token signed with `secret` sees inside a transaction of the process holding the new secret. */
  const seenWith = (secret: string, tenant: Tenant) =>
    next.withTenant(
      tenant.slug,
      async (tx) => {
        const token = signContext({ tenantId: tenant.id, role: 'admin', expiresAt: Math.floor(Date.now() / 1000) + 300 }, deriveKey(secret));
        await tx.query(`select set_config('tenancy.context', $1, true)`, [token]);
        return (await tx.query<{ n: number }>('select count(*)::int as n from notes')).rows[0]!.n;
      },
      { role: 'admin' },
    );

  it("reaches b's database, its template and its tenant database; b's tenants serve with the new secret, the old one ends after the overlap", async () => {
    const summary = await next.rotateContextSecret({ overlapSeconds: OVERLAP_SECONDS });
    const rotatedAt = Date.now();
    // The primary's database (it has no tenant database, hence no template yet), and b's database, template and tenant database.
    expect(summary.databases).toBe(4);
    for (const tenant of tenants) {
      expect((await next.queryAs<{ n: number }>(tenant.slug, 'select count(*)::int as n from notes')).rows[0]!.n, tenant.slug).toBe(1);
      expect(await seenWith(CONTEXT_SECRET, tenant), tenant.slug).toBe(1);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, rotatedAt + OVERLAP_SECONDS * 1000 + 500 - Date.now())));
    for (const tenant of tenants) {
      expect(await seenWith(CONTEXT_SECRET, tenant), tenant.slug).toBe(0);
      expect(await seenWith(NEW_SECRET, tenant), tenant.slug).toBe(1);
      expect((await next.queryAs<{ n: number }>(tenant.slug, 'select count(*)::int as n from notes')).rows[0]!.n, tenant.slug).toBe(1);
      // The process still on the old secret: refused, or (its entry still cached) its context sees nothing.
      const oldSees = await suite()
        .tenancy.queryAs<{ n: number }>(tenant.slug, 'select count(*)::int as n from notes')
        .then(
          (r) => r.rows[0]!.n,
          (e: Error) => e.message,
        );
      expect([0, expect.stringMatching(/contextSecret is not the deployment's/)], tenant.slug).toContainEqual(oldSees);
    }
    // b's template got the new key: a database tenant made from it now knows only the new secret.
    const fresh = await next.createTenant({ slug: 'r_b_new', name: 'New', strategy: 'database', server: 'b' });
    await next.withTenant(fresh.slug, (tx) => tx.query(`insert into notes (body) values ('one')`), { role: 'admin' });
    expect(await seenWith(NEW_SECRET, fresh)).toBe(1);
    expect(await seenWith(CONTEXT_SECRET, fresh)).toBe(0);
  });
});
