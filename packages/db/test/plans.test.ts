import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSecretsProvider, type StrategyName } from '@repo/tenancy';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PLAN_STRATEGY, type Plan } from '../src/plans/catalog';
import { changePlan, InvalidPlanError, PlanChangeBusyError, planStatus, readPlan } from '../src/plans/index';
import { usePreparedDatabase } from './support';

const SECRETS = path.join(mkdtempSync(path.join(os.tmpdir(), 'plans-secrets-')), 'secrets.json');
const CATALOG_CACHE_MS = 300;
// The child process that is killed and this one share the database tenants' passwords.
const suite = usePreparedDatabase('plans', { secrets: new FileSecretsProvider(SECRETS), catalogCacheMs: CATALOG_CACHE_MS });
const CHANGER = fileURLToPath(new URL('./fixtures/plan-changer.ts', import.meta.url));

/** Where the tenant's placement is, read from the server's own catalogs, not from the tenancy catalog alone. */
async function placement(slug: string): Promise<{ strategy: StrategyName; schema: boolean; database: boolean }> {
  const { admin, tenancy } = suite();
  const tenant = await tenancy.getTenant(slug);
  const name = `${tenancy.config.namePrefix}${slug}`;
  const schema = (await admin.query('select 1 from pg_namespace where nspname = $1', [name])).rowCount === 1;
  const database = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  return { strategy: tenant.strategy, schema, database };
}

async function projectNames(slug: string): Promise<string[]> {
  const { rows } = await suite().tenancy.queryAs<{ name: string }>(slug, 'select name from projects order by name');
  return rows.map((r) => r.name);
}

/**
 * Inserts projects into the tenant one after another until stopped, as a tenant's user would: each acknowledged
 * name is remembered, and so is the longest any single write took.
 */
function startWriter(slug: string) {
  const acked: string[] = [];
  const failures: unknown[] = [];
  let longestMs = 0;
  let stop = false;
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      const name = `w${String(i).padStart(5, '0')}`;
      const started = Date.now();
      try {
        await suite().tenancy.withTenant(slug, (tx) => tx.query('insert into projects (name) values ($1)', [name]), { role: 'admin' });
        acked.push(name);
      } catch (error) {
        failures.push(error);
      }
      longestMs = Math.max(longestMs, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    acked,
    failures,
    longestMs: () => longestMs,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

describe('changePlan', () => {
  it(
    'free -> business -> enterprise -> free moves the tenant online each time; every acknowledged write survives, none waits longer than the reported pause',
    { timeout: 180_000 },
    async () => {
      const { tenancy, admin } = suite();
      const tenant = await tenancy.createTenant({ slug: 'planned', name: 'Planned', strategy: 'rls' });
      // No row: free, where free places it.
      expect(planStatus(tenant.strategy, await readPlan(admin, tenant.id))).toMatchObject({ plan: 'free', pendingPlan: null, matches: true });
      const writer = startWriter('planned');
      const pauses: number[] = [];
      try {
        for (const plan of ['business', 'enterprise', 'free'] as const satisfies Plan[]) {
          const before = writer.acked.length;
          const summary = await changePlan(tenancy, 'planned', plan);
          expect(summary).toMatchObject({ to: plan, resumed: null, tenant: { strategy: PLAN_STRATEGY[plan], status: 'active' } });
          expect(summary.move.pauseMs).toBeGreaterThanOrEqual(CATALOG_CACHE_MS);
          pauses.push(summary.move.pauseMs);
          expect(await readPlan(admin, tenant.id), plan).toEqual({ plan, pendingPlan: null });
          const where = await placement('planned');
          expect(where, plan).toEqual({ strategy: PLAN_STRATEGY[plan], schema: plan === 'business', database: plan === 'enterprise' });
          // The writer kept going through the change.
          await new Promise((resolve) => setTimeout(resolve, 200));
          expect(writer.acked.length, plan).toBeGreaterThan(before);
        }
      } finally {
        await writer.stop();
      }
      expect(writer.failures).toEqual([]);
      const stored = await projectNames('planned');
      expect(stored.filter((name) => writer.acked.includes(name))).toEqual(writer.acked);
      expect(stored).toHaveLength(writer.acked.length);
      // What the tenant's users noticed: no write waited much longer than the longest pause the changes reported.
      expect(writer.longestMs()).toBeLessThan(Math.max(...pauses) + 2_000);
      // Back on free: the rls shared tables, nothing left of the schema or database.
      expect((await admin.query('select count(*)::int as n from public.projects where tenant_id = $1', [tenant.id])).rows[0].n).toBe(writer.acked.length);
    },
  );

  it('an unknown plan is refused with InvalidPlanError before anything is read or written', async () => {
    const { tenancy, admin } = suite();
    const tenant = await tenancy.createTenant({ slug: 'badplan', name: 'Bad plan', strategy: 'rls' });
    await expect(changePlan(tenancy, 'badplan', 'gold')).rejects.toThrow(InvalidPlanError);
    await expect(changePlan(tenancy, 'badplan', 'gold')).rejects.toThrow('Unknown plan "gold": choose free, business or enterprise.');
    // Not schema, the strategy, either: a plan is asked for by its name.
    await expect(changePlan(tenancy, 'badplan', 'schema')).rejects.toThrow(InvalidPlanError);
    expect((await admin.query('select 1 from public.tenant_plans where tenant_id = $1', [tenant.id])).rowCount).toBe(0);
    expect((await tenancy.getTenant('badplan')).strategy).toBe('rls');
  });

  it('SQL inside a tenant request (app_user, or a schema tenant’s role) can neither read nor write any plan', async () => {
    const { tenancy, urls } = suite();
    await tenancy.createTenant({ slug: 'noaccess_rls', name: 'No access', strategy: 'rls' });
    await tenancy.createTenant({ slug: 'noaccess_schema', name: 'No access', strategy: 'schema' });
    const attempts = [
      'SELECT * FROM public.tenant_plans',
      "UPDATE public.tenant_plans SET plan = 'enterprise'",
      "INSERT INTO public.tenant_plans (tenant_id, plan) VALUES ((SELECT tenancy.current_tenant_id()), 'enterprise')",
      'DELETE FROM public.tenant_plans',
    ];
    for (const slug of ['noaccess_rls', 'noaccess_schema']) {
      for (const attempt of attempts) {
        await expect(tenancy.queryAs(slug, attempt, [], { role: 'admin' }), `${slug}: ${attempt}`).rejects.toThrow(/permission denied for table tenant_plans/);
      }
    }
    const app = new pg.Client({ connectionString: urls.appUrl });
    await app.connect();
    try {
      for (const attempt of attempts) await expect(app.query(attempt), attempt).rejects.toThrow(/permission denied for table tenant_plans/);
    } finally {
      await app.end();
    }
  });

  it('a second change of the same tenant while one runs is refused, and changes nothing', async () => {
    const { tenancy, admin, db } = suite();
    const tenant = await tenancy.createTenant({ slug: 'busyplan', name: 'Busy', strategy: 'rls' });
    // Another process's change, holding the lock.
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(hashtext('public.tenant_plans'), hashtext($1))`, [tenant.id]);
      await expect(changePlan(tenancy, 'busyplan', 'business')).rejects.toThrow(PlanChangeBusyError);
    } finally {
      await other.end();
    }
    expect((await admin.query('select 1 from public.tenant_plans where tenant_id = $1', [tenant.id])).rowCount).toBe(0);
    expect(await placement('busyplan')).toEqual({ strategy: 'rls', schema: false, database: false });
    // Its session gone, the lock is too.
    expect((await changePlan(tenancy, 'busyplan', 'business')).tenant.strategy).toBe('schema');
  });
});

/** Starts a plan change in a process of its own and resolves once it stands before `step`, with the process to kill. */
async function changerAt(slug: string, plan: Plan, step: string) {
  const { db, tenancy, urls } = suite();
  const child = spawn(process.execPath, ['--import', 'tsx', CHANGER, slug, plan, step], {
    env: {
      ...process.env,
      PLAN_CHANGER_CONFIG: JSON.stringify({
        adminUrl: db.url,
        appUrl: urls.appUrl,
        contextSecret: urls.contextSecret,
        namePrefix: tenancy.config.namePrefix,
        secretsFile: SECRETS,
        catalogCacheMs: CATALOG_CACHE_MS,
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes(`at ${step}`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the plan change exited (${code}) before ${step}`)));
  });
  return child;
}

describe('a plan change killed with SIGKILL', () => {
  it.each([
    // Before the switch: the tenant is still where free places it.
    ['move.pause', 'rls'],
    // After the switch, before the plan is recorded: the tenant is where business places it.
    ['move.cleanup', 'schema'],
  ] as const)(
    'at %s: plan and placement stay consistent (the pending plan says what was asked), and the same call finishes it',
    { timeout: 120_000 },
    async (step, strategyAfterKill) => {
      const { tenancy, admin } = suite();
      const slug = `killed_${step.replace(/\W/g, '_')}`;
      const tenant = await tenancy.createTenant({ slug, name: slug, strategy: 'rls' });
      await tenancy.withTenant(slug, (tx) => tx.query(`insert into projects (name) values ('before')`), { role: 'admin' });

      const changer = await changerAt(slug, 'business', step);
      changer.kill('SIGKILL');
      await once(changer, 'exit');

      // The plan in effect is still free; the change asked for is pending; the tenant is in one of the two placements.
      const record = await readPlan(admin, tenant.id);
      expect(record).toEqual({ plan: 'free', pendingPlan: 'business' });
      const after = await tenancy.getTenant(slug);
      expect(after.strategy).toBe(strategyAfterKill);
      expect(planStatus(after.strategy, record)).toMatchObject({ matches: false, finish: 'business' });
      // It serves meanwhile, from wherever the catalog says.
      await tenancy.withTenant(slug, (tx) => tx.query(`insert into projects (name) values ('after the kill')`), { role: 'admin' });

      const summary = await changePlan(tenancy, slug, 'business');
      expect(summary).toMatchObject({ from: 'free', to: 'business', resumed: 'business', tenant: { strategy: 'schema', status: 'active' } });
      expect(await readPlan(admin, tenant.id)).toEqual({ plan: 'business', pendingPlan: null });
      expect(await projectNames(slug)).toEqual(['after the kill', 'before']);
      // Nothing of the rls copy is left behind in the shared tables.
      expect((await admin.query('select count(*)::int as n from public.projects where tenant_id = $1', [tenant.id])).rows[0].n).toBe(0);
    },
  );

  it('an interrupted change is cancelled by changing back to the plan in effect: the abandoned copy goes, the tenant stays', { timeout: 120_000 }, async () => {
    const { tenancy, admin } = suite();
    const tenant = await tenancy.createTenant({ slug: 'cancelled', name: 'Cancelled', strategy: 'rls' });
    const changer = await changerAt('cancelled', 'enterprise', 'move.pause');
    changer.kill('SIGKILL');
    await once(changer, 'exit');
    // The abandoned move made the tenant database.
    expect((await placement('cancelled')).database).toBe(true);
    const summary = await changePlan(tenancy, 'cancelled', 'free');
    expect(summary.move).toMatchObject({ from: 'rls', to: 'rls', pauseMs: 0 });
    expect(await readPlan(admin, tenant.id)).toEqual({ plan: 'free', pendingPlan: null });
    expect(await placement('cancelled')).toEqual({ strategy: 'rls', schema: false, database: false });
  });
});
