import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@repo/localdb/harness';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureAuthRole } from '../src/auth/role';
import { withClient } from '../src/client';
import { CONTROL_MIGRATIONS_FOLDER, TENANT_MIGRATIONS_FOLDER } from '../src/migrations';
import { migrateControlPlane } from '../src/prepare';
import { createAppTenancy, type AppTenancy } from '../src/tenancy';
import { suiteAdminPool, suiteUrls } from './support';

// A deployment from before owners existed: its control plane migrated up to 0006, with admins and members. The owner
// migration (0008) makes each tenant's longest-standing admin its owner, so someone can still name owners, and leaves
// a tenant without admins alone.

// By name, not number: migrations are renumbered when branches merge.
const OWNER_MIGRATION = /^\d{4}_owner_role$/;

let db: TestDatabase;
let tenancy: AppTenancy;

beforeAll(async () => {
  db = await createTestDatabase('owner_upgrade');
  const urls = suiteUrls(db, 'owner_upgrade');
  tenancy = createAppTenancy({
    adminUrl: urls.adminUrl,
    appUrl: urls.appUrl,
    operatorUrl: urls.operatorUrl,
    contextSecret: urls.contextSecret,
    migrationsFolder: TENANT_MIGRATIONS_FOLDER,
    ...urls.tenancy,
  });
  await tenancy.setup();
  await withClient(urls.adminUrl, (admin) => ensureAuthRole(admin, urls.authUrl));
  // The control-plane migrations as they were before the owner role.
  const before = path.join(mkdtempSync(path.join(os.tmpdir(), 'control-before-owner-')), 'control');
  cpSync(CONTROL_MIGRATIONS_FOLDER, before, { recursive: true });
  const journalPath = path.join(before, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const ownerIdx = journal.entries.findIndex((entry) => OWNER_MIGRATION.test(entry.tag));
  expect(ownerIdx).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, ownerIdx);
  writeFileSync(journalPath, JSON.stringify(journal));
  await withClient(urls.adminUrl, (client) => migrate(drizzle({ client }), { migrationsFolder: before }));
});

afterAll(async () => {
  await tenancy?.close();
  await db?.drop();
});

it("the owner migration makes each tenant's longest-standing admin its owner, and nobody else", async () => {
  const admin = suiteAdminPool(db.url);
  try {
    const user = async (name: string) =>
      (await admin.query<{ id: string }>(`INSERT INTO public.users (email, name, password_hash) VALUES ($1, $1, 'x') RETURNING id`, [`${name}@upgrade.test`]))
        .rows[0]!.id;
    const member = async (userId: string, tenantId: string, role: string, createdAt: string) =>
      admin.query('INSERT INTO public.memberships (user_id, tenant_id, role, created_at) VALUES ($1, $2, $3, $4)', [userId, tenantId, role, createdAt]);
    const two = (await tenancy.createTenant({ slug: 'upgrade_two', name: 'Two admins', strategy: 'rls' })).id;
    const one = (await tenancy.createTenant({ slug: 'upgrade_one', name: 'One admin', strategy: 'rls' })).id;
    const none = (await tenancy.createTenant({ slug: 'upgrade_none', name: 'No admin', strategy: 'rls' })).id;
    const [first, second, worker, solo, reader] = [await user('first'), await user('second'), await user('worker'), await user('solo'), await user('reader')];
    await member(second, two, 'admin', '2025-02-01T00:00:00Z');
    await member(first, two, 'admin', '2025-01-01T00:00:00Z');
    await member(worker, two, 'member', '2024-01-01T00:00:00Z');
    await member(solo, one, 'admin', '2025-03-01T00:00:00Z');
    await member(first, one, 'member', '2024-03-01T00:00:00Z');
    await member(reader, none, 'viewer', '2025-01-01T00:00:00Z');
    await expect(member(reader, one, 'owner', '2025-01-01T00:00:00Z')).rejects.toThrow(/memberships_role_valid/);

    await migrateControlPlane(db.url);

    const { rows } = await admin.query<{ tenant: string; name: string; role: string }>(
      `SELECT t.slug AS tenant, u.name, m.role FROM public.memberships m JOIN public.users u ON u.id = m.user_id JOIN tenancy.tenants t ON t.id = m.tenant_id
        ORDER BY t.slug, u.name`,
    );
    expect(rows).toEqual([
      { tenant: 'upgrade_none', name: 'reader@upgrade.test', role: 'viewer' },
      { tenant: 'upgrade_one', name: 'first@upgrade.test', role: 'member' },
      { tenant: 'upgrade_one', name: 'solo@upgrade.test', role: 'owner' },
      { tenant: 'upgrade_two', name: 'first@upgrade.test', role: 'owner' },
      { tenant: 'upgrade_two', name: 'second@upgrade.test', role: 'admin' },
      { tenant: 'upgrade_two', name: 'worker@upgrade.test', role: 'member' },
    ]);
  } finally {
    await admin.end();
  }
});
