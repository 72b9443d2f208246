import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidTenantSlugError, TenancyConfigError, TenantExistsError, TenantNotActiveError, TenantNotFoundError } from '../src/index';
import { useTenancy } from './support';

const suite = useTenancy('lifecycle');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tenancy-archive-'));

describe('tenant lifecycle (rls)', () => {
  it('creates, gets by slug and by id, and lists tenants', async () => {
    const { tenancy } = suite();
    const created = await tenancy.createTenant({ slug: 'life_one', name: 'Life One', strategy: 'rls' });
    expect(created).toMatchObject({ slug: 'life_one', name: 'Life One', strategy: 'rls', status: 'active', schemaName: 'public', schemaVersion: '0000_notes' });
    expect(await tenancy.getTenant('life_one')).toEqual(created);
    expect(await tenancy.getTenant(created.id)).toEqual(created);
    expect((await tenancy.listTenants()).map((t) => t.slug)).toContain('life_one');
  });

  it.each(['a', '1abc', 'Abc', 'ab-c', 'a'.repeat(49), "x'; drop table notes; --", '', 'ab c', 'ab\u00e9'])(
    'refuses the slug %j with InvalidTenantSlugError and creates nothing',
    async (slug) => {
      const { tenancy, admin } = suite();
      const before = (await admin.query('select count(*)::int as n from tenancy.tenants')).rows[0].n;
      await expect(tenancy.createTenant({ slug, name: 'x', strategy: 'rls' })).rejects.toThrow(InvalidTenantSlugError);
      expect((await admin.query('select count(*)::int as n from tenancy.tenants')).rows[0].n).toBe(before);
    },
  );

  it('refuses a duplicate slug with TenantExistsError, an unknown tenant with TenantNotFoundError, a bad name or strategy with a clear error', async () => {
    const { tenancy } = suite();
    await tenancy.createTenant({ slug: 'life_dup', name: 'Dup', strategy: 'rls' });
    await expect(tenancy.createTenant({ slug: 'life_dup', name: 'Dup again', strategy: 'rls' })).rejects.toThrow(TenantExistsError);
    await expect(tenancy.getTenant('life_nobody')).rejects.toThrow(TenantNotFoundError);
    await expect(tenancy.withTenant('life_nobody', async () => 1, { role: 'admin' })).rejects.toThrow(TenantNotFoundError);
    await expect(tenancy.createTenant({ slug: 'life_noname', name: '  ', strategy: 'rls' })).rejects.toThrow(/name must not be empty/);
    await expect(tenancy.createTenant({ slug: 'life_nostrat', name: 'x', strategy: 'cloud' as never })).rejects.toThrow(/strategy must be one of/);
  });

  it('a tenant that is not active serves no requests', async () => {
    const { tenancy, admin } = suite();
    const t = await tenancy.createTenant({ slug: 'life_paused', name: 'Paused', strategy: 'rls' });
    await admin.query(`update tenancy.tenants set status = 'provisioning' where id = $1`, [t.id]);
    // A fresh process (no catalog cache) must refuse it.
    await expect(tenancy.getTenant('life_paused')).resolves.toMatchObject({ status: 'provisioning' });
    await new Promise((r) => setTimeout(r, tenancy.config.catalogCacheMs + 10));
    await expect(tenancy.queryAs('life_paused', 'select 1')).rejects.toThrow(TenantNotActiveError);
    // The same createTenant call finishes a provisioning that stopped half-way.
    await expect(tenancy.createTenant({ slug: 'life_paused', name: 'Paused', strategy: 'rls' })).resolves.toMatchObject({ status: 'active' });
  });

  it('deleteTenant archives the rows first, then removes rows and catalog entry, leaving other tenants alone', async () => {
    const { tenancy, admin } = suite();
    const doomed = await tenancy.createTenant({ slug: 'life_doomed', name: 'Doomed', strategy: 'rls' });
    const keeper = await tenancy.createTenant({ slug: 'life_keeper', name: 'Keeper', strategy: 'rls' });
    for (const t of [doomed, keeper]) {
      await tenancy.withTenant(t.slug, (tx) => tx.query(`insert into notes (body) values ('one'), ('two')`), { role: 'admin' });
    }
    await expect(tenancy.deleteTenant('life_doomed', undefined as never)).rejects.toThrow(TenancyConfigError);
    await expect(tenancy.deleteTenant('life_doomed', { archive: '/etc/hostname/not-a-dir/doomed.json' })).rejects.toThrow(/Nothing was deleted/);
    expect((await tenancy.getTenant('life_doomed')).status).toBe('active');
    const file = path.join(tmp, 'doomed.tar.gz');
    await tenancy.deleteTenant('life_doomed', { archive: file });
    const archive = await tenancy.inspectArchive(file);
    expect(archive.tenant.id).toBe(doomed.id);
    expect(archive.tables).toEqual([expect.objectContaining({ name: 'notes', rows: 2 })]);
    expect((await admin.query('select count(*)::int as n from notes where tenant_id = $1', [doomed.id])).rows[0].n).toBe(0);
    expect((await admin.query('select count(*)::int as n from notes where tenant_id = $1', [keeper.id])).rows[0].n).toBe(2);
    await expect(tenancy.getTenant('life_doomed')).rejects.toThrow(TenantNotFoundError);
    await tenancy.deleteTenant('life_keeper', { archive: false });
    expect((await admin.query('select count(*)::int as n from notes where tenant_id = $1', [keeper.id])).rows[0].n).toBe(0);
  });
});

describe('deleting an rls tenant whose delete policy does not admit the maintenance role', () => {
  // A maintenance role the fixture's policies treat as a viewer (no writes): the delete would skip every row.
  const weak = useTenancy('lifecycle_weak', { contextRoles: { maintenance: 'viewer', default: 'viewer' } });

  it('fails with a clear error and deletes nothing, the tenant and its rows stay', async () => {
    const { tenancy, admin } = weak();
    const kept = await tenancy.createTenant({ slug: 'weak_one', name: 'Weak', strategy: 'rls' });
    await admin.query(`insert into notes (tenant_id, body) values ($1, 'one'), ($1, 'two')`, [kept.id]);
    await admin.query(`create policy notes_viewers_keep on notes as restrictive for delete using ((select tenancy.current_app_role()) <> 'viewer')`);
    await expect(tenancy.deleteTenant('weak_one', { archive: false })).rejects.toThrow(/must admit the maintenance role "viewer"/);
    expect((await admin.query('select count(*)::int as n from notes where tenant_id = $1', [kept.id])).rows[0].n).toBe(2);
    expect((await tenancy.getTenant('weak_one')).status).toBe('deleting');
  });
});
