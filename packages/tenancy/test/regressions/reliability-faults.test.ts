import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TenancyConfigError, TenantPlacementMissingError } from '../../src/index';
import { CONTEXT_SECRET, FIXTURE_MIGRATIONS, useTenancy } from '../support';

// Regressions found by the reliability run's faults (npm run test:reliability -- --only faults).
const suite = useTenancy('reliability_faults');
const DELETER = fileURLToPath(new URL('../fixtures/processes/deleter.ts', import.meta.url));

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

  // The failed archive's rollback set every tenant `active`, whatever it was: a half-made tenant would have served.
  it('gives a tenant back the status it had when its archive cannot be written', async () => {
    const { tenancy, admin } = suite();
    await tenancy.createTenant({ slug: 'half_made', name: 'Half made', strategy: 'schema' });
    await admin.query(`update tenancy.tenants set status = 'provisioning' where slug = 'half_made'`);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tenancy-full-disk-')), 'half_made.tar.gz');
    symlinkSync('/dev/full', `${file}.partial`);
    const error = await tenancy.deleteTenant('half_made', { archive: file }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TenancyConfigError);
    expect((error as Error).message).toMatch(/Nothing was deleted: tenant "half_made" is provisioning again/);
    expect(await tenancy.getTenant('half_made')).toMatchObject({ status: 'provisioning' });
    await tenancy.deleteTenant('half_made', { archive: false });
  });

  // The disk filling while a large table was being copied out left the COPY half read: its connection
  // paused, the ROLLBACK queued behind it for ever, and deleteTenant hung with the tenant `deleting`.
  it('fails, rather than hangs, a delete whose archive runs out of space in the middle of a large table', async () => {
    const { db, tenancy } = suite();
    await tenancy.createTenant({ slug: 'big_table', name: 'Big table', strategy: 'schema' });
    await tenancy.withTenant('big_table', (tx) => tx.query("insert into notes (body) select repeat('x', 200) || g from generate_series(1, 20000) g"), {
      role: 'admin',
    });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tenancy-big-table-')), 'big_table.tar.gz');
    // 512 blocks (of 512 bytes in sh): about a twentieth of the table's rows fit in a file.
    const child = spawn('sh', ['-c', 'ulimit -f 512 && exec "$0" "$@"', process.execPath, '--import', 'tsx', DELETER, 'big_table', file], {
      env: {
        ...process.env,
        DELETER_CONTEXT_SECRET: CONTEXT_SECRET,
        DELETER_CONFIG: JSON.stringify({
          adminUrl: db.url,
          appUrl: tenancy.config.appUrl,
          namePrefix: tenancy.config.namePrefix,
          migrationsFolder: FIXTURE_MIGRATIONS,
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const ended = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ended) child.kill('SIGKILL');
    expect(ended).toBe(true);
    expect(out).toMatch(/failed: Cannot write the archive .*big_table\.tar\.gz: EFBIG.*tenant "big_table" is active again/);
    expect(await tenancy.getTenant('big_table')).toMatchObject({ status: 'active' });
    const { rows } = await tenancy.queryAs<{ n: number }>('big_table', 'select count(*)::int as n from notes');
    expect(rows[0]!.n).toBe(20000);
  }, 60_000);
});
