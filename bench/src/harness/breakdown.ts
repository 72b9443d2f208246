import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { AppTenancy } from '@repo/db/tenancy';
import pg from 'pg';
import { contextFor, LIBRARY_RESET, send, TWIN_CONNECTION, type Extra } from '../peers/wire-twin';
import { productUrls, ROLES, BENCH_ROLE_PASSWORD } from './database';
import type { BenchEnv } from './env';
import { prng } from './ids';
import { profileCalls, type NodeProfile } from './node-profile';
import type { TenantRef } from './tenant-ref';
import { WORKLOADS, type Statement } from './workloads';

/**
 * Where the CPU of one queryAs point lookup goes, part by part, against the explicit-WHERE
 * baseline. Each step adds one part to the step before it and runs alone on one connection, calls
 * one after another, so a step's CPU per call is exact: this process from process.cpuUsage(), the
 * server's backends from /proc/<pid>/schedstat (nanoseconds, kernel work on their behalf included).
 * Steps take turns in rounds (order reversed every other round) and each figure is the median of
 * its rounds, so the machine's other load lands on every step alike.
 */

export interface Cost {
  nodeUs: number;
  serverUs: number;
  wallUs: number;
}

export interface Part extends Cost {
  key: string;
  label: string;
  how: string;
}

export interface Breakdown {
  /** The steps as measured, cumulative. */
  steps: Record<StepKey, Cost>;
  /** Their differences: what each part adds to one call. */
  parts: Part[];
  calls: number;
  rounds: number;
  /** This process's CPU by module, for the baseline and for queryAs. */
  profiles: { baseline: NodeProfile; queryAs: NodeProfile };
}

type StepKey = 'baseline' | 'prelude' | 'policy' | 'reset' | 'cached' | 'queryAs' | 'checkOff' | 'checkOn';

interface Step {
  key: StepKey;
  call(t: TenantRef, s: Statement): Promise<unknown>;
}

/** Sum of run time of every backend but `exceptPid`, in µs, from schedstat (ns); 0 for a backend gone meanwhile. */
async function serverCpuUs(admin: pg.ClientBase): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_catalog.pg_stat_activity WHERE pid <> pg_catalog.pg_backend_pid()');
  let ns = 0;
  for (const { pid } of rows) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // gone
    }
  }
  return ns / 1000;
}

function nodeCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function onOne<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await work(client);
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The steps: each adds one part of a queryAs call to the one before it. */
function steps(pools: { plain: pg.Pool; app: pg.Pool }, tenancies: { product: AppTenancy; cached: AppTenancy }, contextSecret: string): Step[] {
  const queryAs = (tenancy: AppTenancy) => (t: TenantRef, s: Statement) =>
    tenancy.queryAs(t.id, s.context.text, s.context.values, { role: 'member', userId: t.userId });
  const context = contextFor(contextSecret);
  const prelude = (t: TenantRef): Extra[] => [context(t)];
  return [
    { key: 'baseline', call: (_t, s) => pools.plain.query(s.explicit.text, s.explicit.values) },
    { key: 'prelude', call: (t, s) => onOne(pools.plain, (c) => send(c, s.explicit.text, s.explicit.values, prelude(t))) },
    { key: 'policy', call: (t, s) => onOne(pools.app, (c) => send(c, s.context.text, s.context.values, prelude(t))) },
    { key: 'reset', call: (t, s) => onOne(pools.app, (c) => send(c, s.context.text, s.context.values, prelude(t), [LIBRARY_RESET])) },
    // The library with every tenant's catalog entry cached for the whole run, then as configured.
    { key: 'cached', call: queryAs(tenancies.cached) },
    { key: 'queryAs', call: queryAs(tenancies.product) },
    // The token check alone: one statement that calls it against one that does not, both after the prelude.
    { key: 'checkOff', call: (t) => onOne(pools.app, (c) => send(c, 'SELECT 1', [], prelude(t))) },
    { key: 'checkOn', call: (t) => onOne(pools.app, (c) => send(c, 'SELECT tenancy.current_tenant_id()', [], prelude(t))) },
  ];
}

/**
 * `product` is the tenancy as section 1 calls it; `cached` the same with a catalog cache longer
 * than the run, so that the difference of the two is what catalog lookups add.
 */
export async function measureBreakdown(env: BenchEnv, tenancies: { product: AppTenancy; cached: AppTenancy }): Promise<Breakdown> {
  const urls = productUrls(env.server);
  const plain = new pg.Pool({ connectionString: env.server.urlAs(ROLES.plain, BENCH_ROLE_PASSWORD), ...TWIN_CONNECTION, max: 1, idleTimeoutMillis: 0 });
  const app = new pg.Pool({ connectionString: urls.appUrl, ...TWIN_CONNECTION, max: 1, idleTimeoutMillis: 0 });
  const admin = new pg.Client({ connectionString: env.server.adminUrl });
  await admin.connect();
  const point = WORKLOADS.find((w) => w.key === 'point')!;
  const quick = env.config.mode === 'quick';
  const calls = quick ? 400 : 2_000;
  const rounds = quick ? 3 : 7;
  const rnd = prng(11);
  const tenants = env.dataset.tenants;
  const all = steps({ plain, app }, tenancies, urls.contextSecret);
  const samples = new Map<StepKey, Cost[]>(all.map((s) => [s.key, []]));
  const batch = () =>
    Array.from({ length: calls }, () => {
      const t = tenants[Math.floor(rnd() * tenants.length)]!;
      return { t, s: point.statement(t, rnd) };
    });
  const profile = (key: StepKey) => {
    const step = all.find((s) => s.key === key)!;
    const work = batch();
    return profileCalls(calls, async () => {
      for (const { t, s } of work) await step.call(t, s);
    });
  };
  let profiles: Breakdown['profiles'];
  try {
    // Every tenant's entry into the long cache first: a lookup left for the rounds would count against it.
    const cached = all.find((s) => s.key === 'cached')!;
    for (const t of tenants) await cached.call(t, point.statement(t, rnd));
    for (let round = -1; round < rounds; round++) {
      for (const step of round % 2 ? all : [...all].reverse()) {
        const work = batch();
        const server0 = await serverCpuUs(admin);
        const node0 = nodeCpuUs();
        const wall0 = performance.now();
        for (const { t, s } of work) await step.call(t, s);
        const wallUs = ((performance.now() - wall0) * 1000) / calls;
        const nodeUs = (nodeCpuUs() - node0) / calls;
        const serverUs = ((await serverCpuUs(admin)) - server0) / calls;
        // Round -1 warms every step up (plans, catalog cache, pools) and is not kept.
        if (round >= 0) samples.get(step.key)!.push({ nodeUs, serverUs, wallUs });
      }
    }
    profiles = { baseline: await profile('baseline'), queryAs: await profile('queryAs') };
  } finally {
    await Promise.all([plain.end(), app.end(), admin.end()]);
  }
  const at = (key: StepKey): Cost => {
    const list = samples.get(key)!;
    return { nodeUs: median(list.map((c) => c.nodeUs)), serverUs: median(list.map((c) => c.serverUs)), wallUs: median(list.map((c) => c.wallUs)) };
  };
  const stepCosts = Object.fromEntries(all.map((s) => [s.key, at(s.key)])) as Record<StepKey, Cost>;
  return { steps: stepCosts, parts: partsOf(stepCosts), calls, rounds, profiles };
}

const minus = (a: Cost, b: Cost): Cost => ({ nodeUs: a.nodeUs - b.nodeUs, serverUs: a.serverUs - b.serverUs, wallUs: a.wallUs - b.wallUs });

function partsOf(s: Record<StepKey, Cost>): Part[] {
  const check = minus(s.checkOn, s.checkOff);
  const policy = minus(s.policy, s.prelude);
  return [
    { key: 'baseline', label: 'the baseline call (explicit WHERE, BYPASSRLS role)', how: 'baseline', ...s.baseline },
    { key: 'prelude', label: '+ the context settings statement', how: 'prelude − baseline', ...minus(s.prelude, s.baseline) },
    { key: 'check', label: '+ policy: the signed token check (its InitPlan)', how: 'SELECT current_tenant_id() − SELECT 1', ...check },
    { key: 'rls', label: '+ policy: rewrite, plan and filter beyond the check', how: 'policy − prelude − check', ...minus(policy, check) },
    { key: 'reset', label: '+ the session reset (CALL tenancy.reset_session)', how: 'reset − policy', ...minus(s.reset, s.policy) },
    {
      key: 'library',
      label: '+ the library around it (route, token cache, session, guards)',
      how: 'queryAs, catalog cached − reset',
      ...minus(s.cached, s.reset),
    },
    {
      key: 'catalog',
      label: '+ the catalog (a version read, or a lookup, once an entry is catalogCacheMs old)',
      how: 'queryAs − queryAs, catalog cached',
      ...minus(s.queryAs, s.cached),
    },
    { key: 'queryAs', label: '= queryAs, measured', how: 'queryAs', ...s.queryAs },
  ];
}
