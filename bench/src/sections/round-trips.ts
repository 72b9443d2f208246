import { tasks } from '@repo/db/schema';
import type { AppTenancy } from '@repo/db/tenancy';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { queryAsApproach, seedApproaches, whereApproach, whereTxApproach, withTenantApproach, type Approach } from '../harness/approaches';
import { benchTenancy, type TenantRef } from '../harness/dataset';
import { productUrls, ROLES } from '../harness/database';
import { warmPool, type BenchEnv } from '../harness/env';
import { prng, rowId } from '../harness/ids';
import { CountingRelay, type RelayCounts } from '../harness/relay';
import { groupedBarChart, type SectionResult, type Table } from '../harness/report';
import { WORKLOADS } from '../harness/workloads';
import { prose } from '../harness/prose';

const text = prose('round-trips');

interface Measured {
  call: string;
  statements: number;
  counts: RelayCounts;
  note?: string;
}

const REPEATS = 5;

export async function roundTrips(env: BenchEnv): Promise<SectionResult> {
  const { server, config, dataset } = env;
  const relay = await new CountingRelay({ host: server.host, port: server.port }).start();
  const viaRelay = (url: string) => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(relay.port);
    return u.toString();
  };
  const pools: pg.Pool[] = [];
  const pool = async (role: string) => {
    const p = await warmPool({ connectionString: viaRelay(server.urlAs(role)), max: 1 });
    pools.push(p);
    return p;
  };
  // One connection through the relay, so every count belongs to the call being measured.
  const tenancy: AppTenancy = benchTenancy(server, config, { appUrl: viaRelay(productUrls(server).appUrl), appPoolSize: 1 });
  const measured: Measured[] = [];
  try {
    const plain = await pool(ROLES.plain);
    const seeds = seedApproaches({
      setting001: await pool(ROLES.setting),
      setting002: await pool(ROLES.setting),
      s003: await pool(ROLES.s003),
      s004: await pool(ROLES.s004),
    });
    const point = WORKLOADS.find((w) => w.key === 'point')!;
    const rnd = prng(42);
    const tenants = dataset.tenants;

    /** Calls `run` once unmeasured (connections, catalog cache, token cache warm), then REPEATS times measured. */
    const measure = async (call: string, statements: number, run: (t: TenantRef) => Promise<unknown>, t: TenantRef = tenants[1]!, note?: string) => {
      await run(t);
      const before = relay.snapshot();
      for (let i = 0; i < REPEATS; i++) await run(t);
      const d = CountingRelay.diff(relay.snapshot(), before);
      for (const key of Object.keys(d) as (keyof RelayCounts)[]) d[key] = d[key] / REPEATS;
      measured.push({ call, statements, counts: d, note });
    };
    const viaApproach = (a: Approach) => (t: TenantRef) =>
      a.call(
        t,
        Array.from({ length: a.statements }, () => point.statement(t, rnd)),
      );

    for (const a of [whereApproach(plain), whereTxApproach(plain, 1), whereTxApproach(plain, 3)])
      await measure(a.label.replace(' (baseline)', ''), a.statements, viaApproach(a));
    const strategies = ['rls', ...(['schema', 'database'] as const).filter((s) => dataset.placed[s])] as const;
    for (const strategy of strategies) {
      const t = strategy === 'rls' ? tenants[1]! : dataset.placed[strategy]!.tenants[1]!;
      for (const a of [queryAsApproach(tenancy, strategy), withTenantApproach(tenancy, strategy, 1), withTenantApproach(tenancy, strategy, 3)]) {
        await measure(a.label, a.statements, viaApproach(a), t);
      }
      await measure(
        `withTenant ${strategy}, drizzle select`,
        1,
        (t) =>
          tenancy.withTenant(
            t.id,
            (tx) =>
              tx.db
                .select({ id: tasks.id })
                .from(tasks)
                .where(eq(tasks.id, rowId('t', t.idx, 1))),
            { role: 'member', userId: t.userId },
          ),
        t,
      );
      await measure(`withTenant ${strategy}, no statement`, 0, (t) => tenancy.withTenant(t.id, async () => 1, { role: 'member', userId: t.userId }), t);
    }
    // A tenant the catalog cache has not seen (or whose entry expired): one lookup more.
    {
      const cold = tenants.slice(2, 2 + REPEATS + 1);
      let i = 0;
      const a = queryAsApproach(tenancy, 'rls');
      const before = relay.snapshot();
      for (i = 0; i < REPEATS; i++) await viaApproach(a)(cold[i]!);
      const d = CountingRelay.diff(relay.snapshot(), before);
      for (const key of Object.keys(d) as (keyof RelayCounts)[]) d[key] = d[key] / REPEATS;
      measured.push({
        call: 'queryAs rls, tenant not in the catalog cache',
        statements: 1,
        counts: d,
        note: 'once per tenant per catalogCacheMs (default 5 s)',
      });
    }
    for (const a of seeds) await measure(a.label, a.statements, viaApproach(a));
  } finally {
    await Promise.all(pools.map((p) => p.end()));
    await tenancy.close();
    await relay.close();
  }

  const table: Table = {
    id: 'calls',
    title: '2.1 Round trips per API call (point lookup statements, counted at a TCP relay)',
    columns: [
      'API call',
      'statements you ran',
      'statements the server ran',
      'Syncs / simple Queries (ReadyForQuery)',
      'round trips (client flights)',
      'bytes to server',
    ],
    rows: measured.map((m) => [
      m.note ? `${m.call} (${m.note})` : m.call,
      m.statements,
      num(m.counts.commandComplete),
      num(m.counts.readyForQuery),
      num(m.counts.flights),
      num(m.counts.bytesToServer),
    ]),
    chart: groupedBarChart(
      'Round trips per call against the statements it ran',
      'count per call',
      measured.flatMap((m) => [
        { label: m.call, series: 'statements you ran', value: m.statements },
        { label: m.call, series: 'statements the server ran', value: m.counts.commandComplete },
        { label: m.call, series: 'round trips', value: m.counts.flights },
      ]),
    ),
  };
  return {
    name: 'round-trips',
    title: '2. Round trips',
    machine: env.machine,
    intro: [text('method', { repeats: REPEATS })],
    tables: [table],
    notes: [text('reading')],
    data: { measured },
  };
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
