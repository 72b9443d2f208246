import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../src/local/stack';
import { TENANT_MIGRATIONS_FOLDER } from '../src/migrations';
import { createAppTenancy } from '../src/tenancy';

describe('the local stack (what `npm run dev` starts, on a cluster of its own)', () => {
  it('is safe by every check of tenancy.audit(), the seeded database tenant and the cluster`s own databases included', async () => {
    const stack = await startLocalStack({ env: {} });
    try {
      const tenancy = createAppTenancy({
        adminUrl: stack.urls.adminDatabaseUrl,
        appUrl: stack.urls.databaseUrl,
        operatorUrl: stack.urls.operatorDatabaseUrl,
        contextSecret: stack.env.TENANCY_CONTEXT_SECRET!,
        migrationsFolder: TENANT_MIGRATIONS_FOLDER,
      });
      try {
        const report = await tenancy.audit();
        expect(report.findings).toEqual([]);
        // The shared schema, the schema tenant and the seeded database tenant (umbrella).
        expect(report.placements).toBe(3);
      } finally {
        await tenancy.close();
      }
      // The first start closed postgres and template1 to PUBLIC: without that the audit above reports umbrella's role.
      const admin = new pg.Client({ connectionString: stack.cluster.url('postgres') });
      await admin.connect();
      try {
        const { rows } = await admin.query(
          `SELECT datname FROM pg_database WHERE datname IN ('postgres', 'template1') AND has_database_privilege('public', oid, 'CONNECT')`,
        );
        expect(rows).toEqual([]);
      } finally {
        await admin.end();
      }
    } finally {
      await stack.stop();
    }
  }, 180_000);
});
