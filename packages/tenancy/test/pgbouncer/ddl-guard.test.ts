import { describe, expect, it } from 'vitest';
import { createTenancy, StrategyNotSupportedError } from '../../src/index';
import { CONTEXT_SECRET, FIXTURE_MIGRATIONS } from '../support';

const bouncer = 'postgres://app_user:pw@127.0.0.1:6432/app';

describe('DDL and a transaction-mode PgBouncer', () => {
  it.each([
    ['setup', (t: ReturnType<typeof createTenancy>) => t.setup()],
    ['createTenant', (t: ReturnType<typeof createTenancy>) => t.createTenant({ slug: 'acme', name: 'Acme', strategy: 'database' })],
    ['migrate', (t: ReturnType<typeof createTenancy>) => t.migrate()],
  ])('%s through the pooler is refused with StrategyNotSupportedError that says to set adminUrl to the server', async (_name, run) => {
    const tenancy = createTenancy({
      adminUrl: 'postgres://owner:pw@127.0.0.1:6432/app',
      appUrl: bouncer,
      pooler: { kind: 'pgbouncer', mode: 'transaction' },
      contextSecret: CONTEXT_SECRET,
      migrationsFolder: FIXTURE_MIGRATIONS,
      tenantTables: ['notes'],
      contextRoles: { maintenance: 'admin', default: 'viewer' },
    });
    try {
      const error = await run(tenancy).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StrategyNotSupportedError);
      expect((error as Error).message).toMatch(/set adminUrl to the PostgreSQL server itself/);
    } finally {
      await tenancy.close();
    }
  });

  it.each([
    ['session mode', { kind: 'pgbouncer', mode: 'session' } as const, 'postgres://owner:pw@127.0.0.1:6432/app'],
    ['an adminUrl to the server itself', { kind: 'pgbouncer', mode: 'transaction' } as const, 'postgres://owner:pw@127.0.0.1:1/app'],
  ])('%s is not refused by the guard (it goes on to connect)', async (_name, pooler, adminUrl) => {
    const tenancy = createTenancy({
      adminUrl,
      appUrl: bouncer,
      pooler,
      contextSecret: CONTEXT_SECRET,
      migrationsFolder: FIXTURE_MIGRATIONS,
      tenantTables: ['notes'],
      contextRoles: { maintenance: 'admin', default: 'viewer' },
    });
    try {
      const error = await tenancy.setup().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).not.toBeInstanceOf(StrategyNotSupportedError);
      expect(String(error)).toMatch(/ECONNREFUSED/);
    } finally {
      await tenancy.close();
    }
  });
});
