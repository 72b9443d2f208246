import { describe, expect, it } from 'vitest';
import { createTenancy, TenancyConfigError } from '../src/index';
import { FIXTURE_MIGRATIONS } from './support';

const valid = {
  adminUrl: 'postgres://owner:pw@127.0.0.1:5432/app',
  appUrl: 'postgres://app_user:pw@127.0.0.1:5432/app',
  contextSecret: 'x'.repeat(32),
  migrationsFolder: FIXTURE_MIGRATIONS,
  tenantTables: ['notes'],
  contextRoles: { maintenance: 'admin', default: 'viewer' },
};

describe('createTenancy config', () => {
  it.each([
    ['appUrl', { appUrl: undefined }, /appUrl: is required/],
    ['appUrl', { appUrl: 'mysql://x' }, /appUrl: must be a postgres:\/\//],
    ['contextSecret', { contextSecret: 'short' }, /contextSecret: must be at least 32 characters/],
    ['migrationsFolder', { migrationsFolder: '/no/such/folder' }, /migrationsFolder: does not exist/],
    ['tenantTables', { tenantTables: ['Bad Name;'] }, /tenantTables.0: must be a lowercase SQL identifier/],
    ['pooler', { pooler: { kind: 'pgbouncer', mode: 'statement' } }, /pooler.mode/],
    ['maxConnections', { maxConnections: 0 }, /maxConnections/],
    ['contextRoles', { contextRoles: undefined }, /contextRoles/],
    ['contextRoles.maintenance', { contextRoles: { maintenance: 'Admin; drop', default: 'viewer' } }, /contextRoles\.maintenance/],
  ])('names the bad field: %s', (_field, change, message) => {
    expect(() => createTenancy({ ...valid, ...change } as never)).toThrow(TenancyConfigError);
    expect(() => createTenancy({ ...valid, ...change } as never)).toThrow(message);
  });

  it('accepts a valid config without connecting anywhere', async () => {
    const tenancy = createTenancy(valid);
    expect(tenancy.config.pooler).toEqual({ kind: 'direct' });
    await tenancy.close();
  });
});
