import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretsProvider } from '../src/index';
import { startLifecycleProcess, type LifecycleCall } from './fixtures/processes/lifecycle-process';
import { baseConfig, useTenancy } from './support';

const SECRETS = path.join(mkdtempSync(path.join(os.tmpdir(), 'kill-secrets-')), 'secrets.json');
// The processes and this one share the database tenants' passwords.
const suite = useTenancy('move_kill', { secrets: new FileSecretsProvider(SECRETS) });

/** Starts a lifecycle call in a process of its own and resolves once it stands before `step`, with the process to kill. */
async function processAt(step: string, call: LifecycleCall) {
  const { db, tenancy } = suite();
  const { secrets: _secrets, ...plain } = baseConfig(db);
  const child = startLifecycleProcess({ tenancy: { ...plain, namePrefix: tenancy.config.namePrefix }, secretsFile: SECRETS, stopAt: step });
  await child.ready();
  child.send(call);
  await child.waitFor((e) => e.event === 'at' && e.step === step);
  return child;
}

describe('a mover killed with SIGKILL', () => {
  it.each([
    ['rls', 'schema'],
    ['schema', 'rls'],
  ] as const)('%s -> %s, in its pause: the tenant serves again from the old placement at once, and the same call then finishes the move', async (from, to) => {
    const { tenancy } = suite();
    const slug = `kill_${from}_${to}`;
    await tenancy.createTenant({ slug, name: slug, strategy: from });
    await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) select 'n' || g from generate_series(1, 30) g`), { role: 'admin' });

    const mover = await processAt('move.catch-up', { op: 'move', slug, strategy: to });
    // Paused: the tenant is `moving`, and a request waits instead of running.
    expect((await suite().admin.query('select status from tenancy.tenants where slug = $1', [slug])).rows[0].status).toBe('moving');
    let waited = false;
    const write = tenancy
      .withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('during the pause')`), { role: 'admin' })
      .then(() => (waited = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waited).toBe(false);

    await mover.kill();
    // The session lock died with the mover: the waiting write goes through, to the old placement.
    await write;
    expect(await tenancy.getTenant(slug)).toMatchObject({ strategy: from });
    await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('after the kill')`), { role: 'admin' });
    expect((await tenancy.queryAs<{ n: number }>(slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(32);

    const summary = await tenancy.moveTenant(slug, to);
    expect(summary.tenant).toMatchObject({ strategy: to, status: 'active' });
    const { rows } = await tenancy.queryAs<{ body: string }>(slug, 'select body from notes order by body');
    expect(rows.map((r) => r.body)).toEqual(expect.arrayContaining(['during the pause', 'after the kill']));
    expect(rows).toHaveLength(32);
  });
});

async function killedAt(step: string, call: LifecycleCall): Promise<void> {
  await (await processAt(step, call)).kill();
}

describe('SIGKILL at every step, then the same call again', () => {
  it('moveTenant rls -> database: after each kill the tenant serves from where it was, and the rerun finishes the move', { timeout: 180_000 }, async () => {
    const { tenancy } = suite();
    for (const step of tenancy.lifecycleSteps('database').move) {
      const slug = `killm_${step.replace(/\W/g, '_')}`.slice(0, 48);
      await tenancy.createTenant({ slug, name: slug, strategy: 'rls' });
      await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) select 'n' || g from generate_series(1, 10) g`), { role: 'admin' });
      await killedAt(step, { op: 'move', slug, strategy: 'database' });
      const after = await tenancy.getTenant(slug);
      // Only a kill at the cleanup comes after the switch.
      expect(after.strategy, step).toBe(step === 'move.cleanup' ? 'database' : 'rls');
      await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('after the kill')`), { role: 'admin' });
      await tenancy.moveTenant(slug, 'database');
      expect(await tenancy.getTenant(slug), step).toMatchObject({ strategy: 'database', status: 'active' });
      expect((await tenancy.queryAs<{ n: number }>(slug, 'select count(*)::int as n from notes')).rows[0]!.n, step).toBe(11);
      const leftovers = await suite().admin.query('select count(*)::int as n from notes where tenant_id = $1', [after.id]);
      expect(leftovers.rows[0].n, `${step}: rows left in the shared tables`).toBe(0);
    }
  });

  it('importTenant into database: after each kill the half-made tenant serves nothing, and the rerun finishes it', { timeout: 180_000 }, async () => {
    const { tenancy } = suite();
    await tenancy.createTenant({ slug: 'killi_src', name: 'src', strategy: 'schema' });
    await tenancy.withTenant('killi_src', (tx) => tx.query(`insert into notes (body) select 'n' || g from generate_series(1, 10) g`), { role: 'admin' });
    const file = path.join(path.dirname(SECRETS), 'killi_src.tar.gz');
    await tenancy.exportTenant('killi_src', file);
    for (const step of tenancy.lifecycleSteps('database').import) {
      const slug = `killi_${step.replace(/\W/g, '_')}`.slice(0, 48);
      await killedAt(step, { op: 'import', file, slug, strategy: 'database' });
      expect((await tenancy.getTenant(slug)).status, step).toBe('provisioning');
      await tenancy.importTenant(file, { slug, strategy: 'database', id: 'new' });
      expect((await tenancy.queryAs<{ n: number }>(slug, 'select count(*)::int as n from notes')).rows[0]!.n, step).toBe(10);
    }
  });
});
