import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/index';
import { onServer, useServers } from './support';

const suite = useServers({ label: 'srv_audit' });

describe('audit() across servers', () => {
  const tenants = new Map<string, Tenant>();
  beforeAll(async () => {
    const { tenancy } = suite();
    for (const [slug, strategy, server] of [
      ['a_rls', 'rls', 'primary'],
      ['a_schema', 'schema', 'primary'],
      ['a_b_schema', 'schema', 'b'],
      ['a_b_db', 'database', 'b'],
      ['a_b_db2', 'database', 'b'],
    ] as const) {
      tenants.set(slug, await tenancy.createTenant({ slug, name: slug, strategy, server }));
    }
  });

  const findings = async () => (await suite().tenancy.audit()).findings.map((f) => ({ code: f.code, server: f.server ?? null, tenant: f.tenant ?? null }));

  it('a clean deployment over two servers has no findings, and every placement was read', async () => {
    const report = await suite().tenancy.audit();
    expect(report.findings).toEqual([]);
    // The primary's shared schema and schema tenant, and b's three tenants: b's were read too.
    expect(report.placements).toBeGreaterThanOrEqual(5);
  });

  it('a table on b that no longer forces RLS is a finding of server b and of its tenant', async () => {
    const schema = tenants.get('a_b_schema')!.schemaName;
    const b = suite().servers[0]!;
    await onServer(b, `alter table ${pg.escapeIdentifier(schema)}.notes no force row level security`);
    try {
      expect(await findings()).toEqual([{ code: 'rls-not-forced', server: 'b', tenant: 'a_b_schema' }]);
    } finally {
      await onServer(b, `alter table ${pg.escapeIdentifier(schema)}.notes force row level security`);
    }
    expect(await findings()).toEqual([]);
  });

  it("a tenant role on b allowed into another tenant's database there is a finding of server b", async () => {
    const { roleName } = tenants.get('a_b_db')!;
    const { databaseName } = tenants.get('a_b_db2')!;
    const b = suite().servers[0]!;
    const grant = `${pg.escapeIdentifier(databaseName!)} to ${pg.escapeIdentifier(roleName!)}`;
    await onServer(b, `grant connect on database ${grant}`);
    try {
      const found = await findings();
      expect(found.length).toBeGreaterThan(0);
      expect(found).toContainEqual({ code: 'tenant-role-connects-elsewhere', server: 'b', tenant: 'a_b_db' });
      for (const f of found) expect(f.server, f.code).toBe('b');
    } finally {
      await onServer(b, `revoke connect on database ${grant.replace(' to ', ' from ')}`);
    }
    expect(await findings()).toEqual([]);
  });

  it("the same problem on the primary is the primary's finding, not b's", async () => {
    const schema = tenants.get('a_schema')!.schemaName;
    const { admin } = suite();
    await admin.query(`alter table ${pg.escapeIdentifier(schema)}.notes no force row level security`);
    try {
      expect(await findings()).toEqual([{ code: 'rls-not-forced', server: null, tenant: 'a_schema' }]);
    } finally {
      await admin.query(`alter table ${pg.escapeIdentifier(schema)}.notes force row level security`);
    }
  });
});
