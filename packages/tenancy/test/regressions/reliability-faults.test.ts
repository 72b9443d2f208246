import { existsSync, lstatSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TenancyConfigError, TenantPlacementMissingError } from '../../src/index';
import { useTenancy } from '../support';

// Regressions found by the reliability run's faults (npm run test:reliability -- --only faults).
const suite = useTenancy('reliability_faults');

const notes = (slug: string) =>
  suite()
    .tenancy.queryAs<{ body: string }>(slug, 'select body from notes order by body')
    .then(({ rows }) => rows.map((row) => row.body));

describe('faults from the reliability run', () => {
  // A database tenant's database dropped behind the library's back answered with the server's bare
  // 3D000 ("database ... does not exist"), which names neither the tenant nor what to do.
  it('names the tenant whose database was dropped outside the library, and serves the others', async () => {
    const { tenancy, admin } = suite();
    const gone = await tenancy.createTenant({ slug: 'gone_db', name: 'Gone', strategy: 'database' });
    await tenancy.createTenant({ slug: 'stays_rls', name: 'Stays', strategy: 'rls' });
    for (const slug of ['gone_db', 'stays_rls'])
      await tenancy.withTenant(slug, (tx) => tx.query('insert into notes (body) values ($1)', [slug]), { role: 'admin' });
    await admin.query(`drop database ${pg.escapeIdentifier(gone.databaseName!)} with (force)`);
    // The pool's connection was cut by the drop: the first call may meet it.
    await notes('gone_db').catch(() => undefined);
    for (const call of [() => notes('gone_db'), () => tenancy.withTenant('gone_db', (tx) => tx.query('select 1'), { role: 'admin' })]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TenantPlacementMissingError);
      expect(error).toMatchObject({ tenant: 'gone_db', message: expect.stringContaining('"gone_db"') });
      expect((error as Error).cause).toMatchObject({ code: '3D000' });
    }
    expect(await notes('stays_rls')).toEqual(['stays_rls']);
    await tenancy.deleteTenant('gone_db', { archive: false });
  });

  // A delete whose archive could not be written (a full disk) left the tenant `deleting`, serving no
  // request although nothing was deleted, and a half-written archive behind; the error was a bare ENOSPC.
  it('gives a tenant back, serving, when its archive cannot be written, and leaves no partial archive', async () => {
    const { tenancy } = suite();
    await tenancy.createTenant({ slug: 'full_disk', name: 'Full disk', strategy: 'schema' });
    await tenancy.withTenant('full_disk', (tx) => tx.query("insert into notes (body) values ('kept')"), { role: 'admin' });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tenancy-full-disk-')), 'full_disk.tar.gz');
    // Every write of the archive lands on /dev/full: ENOSPC, as on a full disk, without needing one.
    symlinkSync('/dev/full', `${file}.partial`);
    const error = await tenancy.deleteTenant('full_disk', { archive: file }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TenancyConfigError);
    expect((error as Error).message).toMatch(/Cannot write the archive .*full_disk\.tar\.gz: ENOSPC.*Nothing was deleted: tenant "full_disk" is active again/);
    expect(await tenancy.getTenant('full_disk')).toMatchObject({ status: 'active' });
    expect(await notes('full_disk')).toEqual(['kept']);
    expect(existsSync(file)).toBe(false);
    expect(() => lstatSync(`${file}.partial`)).toThrow(/ENOENT/);
    // With space again, the same delete goes through and its archive brings the rows back.
    await tenancy.deleteTenant('full_disk', { archive: file });
    await tenancy.importTenant(file);
    expect(await notes('full_disk')).toEqual(['kept']);
  });
});
