import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenancyConfigError, UnknownServerError, type ServerState, type Tenancy } from '../../src/index';
import { anotherProcess, useServers } from './support';

const suite = useServers({ label: 'srv_readonly' });
const ON_B = ['ro_schema', 'ro_db'] as const;

/** The SQLSTATE a write through withTenant, or through queryAs, ends with; 'ok' when it is written. */
async function write(tenancy: Tenancy, slug: string, via: 'withTenant' | 'queryAs'): Promise<string> {
  const sql = `insert into notes (body) values ('w')`;
  const done = via === 'withTenant' ? tenancy.withTenant(slug, (tx) => tx.query(sql), { role: 'admin' }) : tenancy.queryAs(slug, sql, [], { role: 'admin' });
  return done.then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? String(error),
  );
}

const count = async (tenancy: Tenancy, slug: string) => (await tenancy.queryAs<{ n: number }>(slug, 'select count(*)::int as n from notes')).rows[0]!.n;

/** Past every process's catalog cache (200 ms in these suites). */
const afterCache = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('a read-only server', () => {
  let other: Tenancy;
  beforeAll(async () => {
    const { tenancy } = suite();
    await tenancy.createTenant({ slug: 'ro_schema', name: 'Ro', strategy: 'schema', server: 'b' });
    await tenancy.createTenant({ slug: 'ro_db', name: 'Ro', strategy: 'database', server: 'b' });
    await tenancy.createTenant({ slug: 'ro_primary', name: 'Ro', strategy: 'schema' });
    // Another process, which has served b's tenants before the change: it learns of it from the catalog alone.
    other = anotherProcess(suite());
    for (const slug of [...ON_B, 'ro_primary']) expect(await write(other, slug, 'withTenant')).toBe('ok');
  });
  afterAll(async () => {
    await other?.close();
  });

  it("refuses writes on b's tenants (25006) within catalogCacheMs, in every process; reads and the primary's tenants go on", async () => {
    const { tenancy } = suite();
    await tenancy.setServerState('b', 'read_only');
    try {
      await afterCache();
      for (const process of [tenancy, other])
        for (const slug of ON_B) {
          expect(await write(process, slug, 'withTenant'), slug).toBe('25006');
          expect(await write(process, slug, 'queryAs'), slug).toBe('25006');
          expect(await count(process, slug), slug).toBe(1);
        }
      expect(await write(other, 'ro_primary', 'withTenant')).toBe('ok');
      expect((await tenancy.getTenant('ro_db')).serverState).toBe('read_only');
      expect((await tenancy.listServers()).find((s) => s.name === 'b')!.state).toBe('read_only');
    } finally {
      await tenancy.setServerState('b', 'open');
    }
  });

  it("keeps the control plane writable for b's tenants: withControlPlane runs on the primary, which is not read-only", async () => {
    const { tenancy, admin } = suite();
    await tenancy.setServerState('b', 'read_only');
    try {
      await afterCache();
      const tenant = await tenancy.getTenant('ro_db');
      // The primary's shared tables (here the fixture's notes) are where an app keeps a tenant's memberships, billing...
      await tenancy.withControlPlane('ro_db', (tx) => tx.query(`insert into notes (body) values ('control plane')`), { role: 'admin' });
      const { rows } = await admin.query<{ n: number }>(`select count(*)::int as n from notes where tenant_id = $1 and body = 'control plane'`, [tenant.id]);
      expect(rows[0]!.n).toBe(1);
      expect(await write(tenancy, 'ro_db', 'withTenant')).toBe('25006');
    } finally {
      await tenancy.setServerState('b', 'open');
    }
  });

  it('SQL inside the transaction cannot make it read-write again', async () => {
    const { tenancy } = suite();
    await tenancy.setServerState('b', 'read_only');
    try {
      await afterCache();
      for (const slug of ON_B) {
        const attempts = [
          'set transaction_read_only = off',
          'set transaction read write',
          "select set_config('transaction_read_only', 'off', true)",
          'set local default_transaction_read_only = off',
        ];
        for (const attempt of attempts) {
          const result = await tenancy
            .withTenant(
              slug,
              async (tx) => {
                await tx.query(attempt).catch(() => undefined);
                return tx.query(`insert into notes (body) values ('sneaked')`);
              },
              { role: 'admin' },
            )
            .then(
              () => 'ok',
              (error: { code?: string }) => error.code,
            );
          expect(result, `${slug}: ${attempt}`).not.toBe('ok');
        }
        expect(await count(other, slug), slug).toBe(1);
      }
    } finally {
      await tenancy.setServerState('b', 'open');
    }
  });

  it('opened again, b takes writes again in every process', async () => {
    const { tenancy } = suite();
    await afterCache();
    for (const process of [tenancy, other])
      for (const slug of ON_B) {
        expect(await write(process, slug, 'withTenant'), slug).toBe('ok');
        expect(await write(process, slug, 'queryAs'), slug).toBe('ok');
      }
    for (const slug of ON_B) expect(await count(tenancy, slug)).toBe(5);
  });

  it('the primary cannot be read-only; an unknown state or server is refused; nothing changes', async () => {
    const { tenancy } = suite();
    const before = (await tenancy.listServers()).map((s) => [s.name, s.state]);
    await expect(tenancy.setServerState('primary', 'read_only')).rejects.toThrow(TenancyConfigError);
    await expect(tenancy.setServerState('b', 'readonly' as ServerState)).rejects.toThrow(TenancyConfigError);
    await expect(tenancy.setServerState('b', "open'; drop table notes; --" as ServerState)).rejects.toThrow(TenancyConfigError);
    await expect(tenancy.setServerState('z', 'drained')).rejects.toThrow(UnknownServerError);
    expect((await tenancy.listServers()).map((s) => [s.name, s.state])).toEqual(before);
    expect(await write(tenancy, 'ro_primary', 'queryAs')).toBe('ok');
  });
});
