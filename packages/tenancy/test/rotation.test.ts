import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKey, signContext } from '../src/context/token';
import { createTenancy, TenancyConfigError, type Tenancy, type Tenant } from '../src/index';
import { baseConfig, CONTEXT_SECRET, useTenancy } from './support';

const suite = useTenancy('rotation');
const NEW_SECRET = 'the-rotated-context-secret-0123456789-abcdef';

describe('rotateContextSecret()', () => {
  let tenants: Tenant[];
  let next: Tenancy;

  beforeAll(async () => {
    const { tenancy, db } = suite();
    tenants = [];
    for (const strategy of ['rls', 'schema', 'database'] as const) {
      const tenant = await tenancy.createTenant({ slug: `rot_${strategy}`, name: `Rotation ${strategy}`, strategy });
      await tenancy.withTenant(tenant.slug, (tx) => tx.query(`insert into notes (body) values ('one')`), { role: 'admin' });
      tenants.push(tenant);
    }
    // A process started with the new secret, as the rotation procedure has it.
    next = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, secrets: tenancy.config.secrets, contextSecret: NEW_SECRET });
  });

  afterAll(async () => {
    await next?.close();
  });

  /** Rows a token signed with `secret` sees, set inside a transaction of a process holding the deployment's current secret (`via`). */
  const seenWith = (secret: string, tenant: Tenant, via: Tenancy = next) =>
    via.withTenant(
      tenant.slug,
      async (tx) => {
        const token = signContext({ tenantId: tenant.id, role: 'admin', expiresAt: Math.floor(Date.now() / 1000) + 300 }, deriveKey(secret));
        await tx.query(`select set_config('tenancy.context', $1, true)`, [token]);
        return (await tx.query<{ n: number }>('select count(*)::int as n from notes')).rows[0]!.n;
      },
      { role: 'admin' },
    );

  it('reaches every placement, database tenants included: afterwards the old secret is refused everywhere', async () => {
    const old = suite().tenancy;
    try {
      const summary = await next.rotateContextSecret();
      expect(summary.databases).toBe(3); // the deployment's, the template and the database tenant's
      for (const tenant of tenants) {
        expect(await seenWith(NEW_SECRET, tenant), tenant.strategy).toBe(1);
        expect(await seenWith(CONTEXT_SECRET, tenant), tenant.strategy).toBe(0);
        // The old process: its lookups are refused, or (with the tenant still in its cache) its context sees nothing.
        const oldSees = await old.queryAs<{ n: number }>(tenant.slug, 'select count(*)::int as n from notes').then(
          (r) => r.rows[0]!.n,
          (e: Error) => e.message,
        );
        expect([0, expect.stringMatching(/contextSecret is not the deployment's/)], tenant.strategy).toContainEqual(oldSees);
      }
    } finally {
      await old.setup(); // back to the suite's secret for the next test
    }
    for (const tenant of tenants) expect((await old.queryAs<{ n: number }>(tenant.slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(1);
  });

  it('an overlap keeps the old secret working for its length, then refuses it, in every placement', async () => {
    const old = suite().tenancy;
    try {
      await next.rotateContextSecret({ overlapSeconds: 2 });
      // The overlap runs from when the rotation wrote the keys, which is before it returned: counting from
      // the return keeps the wait long enough on a loaded machine, where the rotation itself takes a while.
      const rotatedAt = Date.now();
      for (const tenant of tenants) {
        expect(await seenWith(CONTEXT_SECRET, tenant), tenant.strategy).toBe(1);
        expect((await old.queryAs<{ n: number }>(tenant.slug, 'select count(*)::int as n from notes')).rows[0]!.n, tenant.strategy).toBe(1);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, rotatedAt + 2_500 - Date.now())));
      for (const tenant of tenants) {
        expect(await seenWith(CONTEXT_SECRET, tenant), tenant.strategy).toBe(0);
        expect(await seenWith(NEW_SECRET, tenant), tenant.strategy).toBe(1);
      }
    } finally {
      await old.setup();
    }
  });

  it('the overlap is bounded: more than an hour, or a negative one, is refused and changes nothing', async () => {
    await expect(next.rotateContextSecret({ overlapSeconds: 3601 })).rejects.toThrow(TenancyConfigError);
    await expect(next.rotateContextSecret({ overlapSeconds: -1 })).rejects.toThrow(TenancyConfigError);
    for (const tenant of tenants) expect(await seenWith(CONTEXT_SECRET, tenant, suite().tenancy)).toBe(1);
  });

  it('a rotation cut short leaves the deployment on the old secret, and running it again finishes it', async () => {
    const { db, tenancy: old } = suite();
    const tenantDatabase = tenants.find((t) => t.strategy === 'database')!.databaseName!;
    // Connections to the tenant database fail: the rotation stops after the template, before the deployment's key.
    class Unreachable extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super(typeof config === 'object' && config.database === tenantDatabase ? { ...config, port: 1 } : config);
      }
    }
    const broken = createTenancy({
      ...baseConfig(db),
      namePrefix: old.config.namePrefix,
      secrets: old.config.secrets,
      contextSecret: NEW_SECRET,
      clientClass: Unreachable,
    });
    try {
      await expect(broken.rotateContextSecret()).rejects.toThrow(/ECONNREFUSED/);
      const rls = tenants.find((t) => t.strategy === 'rls')!;
      expect((await old.queryAs<{ n: number }>(rls.slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(1);
      await next.rotateContextSecret();
      for (const tenant of tenants) expect(await seenWith(CONTEXT_SECRET, tenant), tenant.strategy).toBe(0);
    } finally {
      await broken.close();
      await old.setup();
    }
  });
});
