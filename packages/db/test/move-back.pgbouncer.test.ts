import { requirePgBouncer } from '@repo/localdb/pgbouncer';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppTenancy } from '../src/tenancy';
import { usePooledDatabase } from './isolation/pooled';

/**
 * Found by the reliability fuzzer (npm run test:reliability -- --only fuzz): a database tenant moved to a schema and
 * back gets a new password; another process that had served it from its database kept that pool, whose clients
 * PgBouncer still logs in to the server with the old password's SCRAM keys, so every request for the tenant through
 * them waited for a server login that kept failing.
 */
describe.skipIf(!requirePgBouncer())('a database tenant moved out and back, served by another process through PgBouncer transaction mode', () => {
  const prepared = usePooledDatabase('moveback', 'PgBouncer transaction');
  const others: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const other of others) await other.close();
  });

  it('is served again once back in a database of its own', async () => {
    const { tenancy, urls } = prepared();
    // Another process of the deployment: it only serves tenants, through the same PgBouncer.
    const other = createAppTenancy({
      appUrl: urls.appUrl,
      contextSecret: urls.contextSecret,
      secrets: urls.tenancy!.secrets,
      namePrefix: urls.tenancy!.namePrefix,
      pooler: { kind: 'pgbouncer', mode: 'transaction' },
    });
    others.push(other);
    const tenant = await tenancy.createTenant({ slug: 'moveback', name: 'moved back', strategy: 'database' });
    const read = () => other.queryAs<{ n: number }>(tenant.slug, 'select count(*)::int as n from projects', [], { role: 'viewer' });
    expect((await read()).rows).toEqual([{ n: 0 }]);
    await tenancy.moveTenant(tenant.slug, 'schema');
    expect((await read()).rows).toEqual([{ n: 0 }]);
    await tenancy.moveTenant(tenant.slug, 'database');
    const timedOut = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 15 s')), 15_000).unref());
    expect((await Promise.race([read(), timedOut])).rows).toEqual([{ n: 0 }]);
  }, 90_000);
});
