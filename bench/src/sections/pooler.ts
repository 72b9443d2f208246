import type { AppTenancy } from '@repo/db/tenancy';
import { startLocalPgBouncer } from '@repo/db/local';
import type { PgBouncer } from '@repo/localdb/pgbouncer';
import type { PoolMode } from '@repo/tenancy/pgbouncer';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { withTenantApproach, type Approach } from '../harness/approaches';
import { benchTenancy, type TenantRef } from '../harness/dataset';
import { productUrls, ROLES, withClient } from '../harness/database';
import { fmt, fmtMs, fmtRatio, type BenchEnv } from '../harness/env';
import { prng } from '../harness/ids';
import { groupedBarChart, type SectionResult, type Table } from '../harness/report';
import { runChain, type Side, type Stats } from '../harness/runner';
import { WORKLOADS, type Workload } from '../harness/workloads';
import { prose } from '../harness/prose';

const text = prose('pooler');

const AUTH_PASSWORD = 'bench-pgbouncer-auth-password';
const CLIENTS = [50, 500] as const;
/** PgBouncer's server pool where it multiplexes: a fraction of the clients, as a deployment sizes it. */
const SERVER_POOL = 20;
/** A session-mode server pool no client pool here can starve: one server connection per client. */
const SESSION_POOL = Math.max(...CLIENTS);
/** Seconds a client of the starved session pooler waits for a server before PgBouncer fails its call. */
const STARVED_WAIT_S = 1;
/** Seconds any other client may wait (PgBouncer's default): a session pool fills one server connection at a time, 500 take tens of seconds here. */
const WAIT_S = 120;
/** Logins in flight at once while a pool opens: PgBouncer's listen backlog is 128. */
const OPEN_BATCH = 50;
const MAX_CLIENT_CONN = Math.max(...CLIENTS) + 100;
const APP_NAME = 'bench_pooler_';

interface Setup {
  key: string;
  label: string;
  detail: string;
  bouncer?: { mode: PoolMode; pool: number; waitS: number };
}

const SETUPS: Setup[] = [
  { key: 'direct', label: 'direct', detail: 'the tenancy pool connects to PostgreSQL: one server connection (one backend process) per client connection' },
  {
    key: 'session',
    label: 'PgBouncer session',
    detail: `session mode, server pool ${SESSION_POOL}: a client connection keeps the server connection it got for as long as it stays connected, so the pool has to be as large as the client pools (6.2 shows a smaller one)`,
    bouncer: { mode: 'session', pool: SESSION_POOL, waitS: WAIT_S },
  },
  {
    key: 'transaction',
    label: 'PgBouncer transaction',
    detail: `transaction mode, server pool ${SERVER_POOL}: a client holds a server connection only from BEGIN to COMMIT`,
    bouncer: { mode: 'transaction', pool: SERVER_POOL, waitS: WAIT_S },
  },
];

/** Session mode with the transaction-mode pool size, probed on its own: it serves only the first clients. */
const STARVED: Setup = {
  key: 'session-starved',
  label: `PgBouncer session, pool ${SERVER_POOL}`,
  detail: `session mode, server pool ${SERVER_POOL}, query_wait_timeout ${STARVED_WAIT_S} s (6.2)`,
  bouncer: { mode: 'session', pool: SERVER_POOL, waitS: STARVED_WAIT_S },
};

interface Row {
  clients: number;
  setup: Setup;
  stats: Stats;
  serverConnections: number;
  /** Opening and first use of every setup's connections at this client count, untimed. */
  prepareSeconds: number;
}

/** One call per client connection, all at once, through the starved session pooler; times are medians. */
interface Starved {
  clients: number;
  served: number;
  failed: number;
  servedP50Ms: number;
  failedAfterMs: number;
  failure: string | undefined;
  serverConnections: number;
}

export async function pooler(env: BenchEnv): Promise<SectionResult> {
  const started = performance.now();
  const tenants = pickTenants(env);
  const bouncers = new Map<string, PgBouncer>();
  const sampler = await startSampler(env.server.adminUrl);
  const rows: Row[] = [];
  const starved: Starved[] = [];
  try {
    for (const setup of SETUPS) if (setup.bouncer) bouncers.set(setup.key, await startBouncer(env, setup.bouncer));
    for (const clients of CLIENTS) {
      rows.push(...(await measureClients(env, clients, tenants, bouncers, sampler)));
      // Quick mode probes the smaller count only: 500 clients show the same thing, 480 of them failing.
      if (env.config.mode === 'full' || clients === CLIENTS[0]) starved.push(await starvedProbe(env, clients, tenants, sampler));
    }
  } finally {
    try {
      await sampler.stop();
    } finally {
      await Promise.all([...bouncers.values()].map((b) => b.stop()));
    }
  }
  await backendsGone(env);
  env.log(`    pooler measured in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return report(env, rows, starved, tenants);
}

/** Waits until backends of this section have exited: the next section must not pay for them. */
async function backendsGone(env: BenchEnv): Promise<void> {
  await withClient(env.server.adminUrl, async (c) => {
    for (let waited = 0; waited < 60_000; waited += 200) {
      const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE starts_with(application_name, $1)', [APP_NAME]);
      if (rows[0]!.n === 0) return;
      await sleep(200);
    }
  });
}

/** rls tenants spread over the size ranks, and every schema tenant. */
function pickTenants(env: BenchEnv): TenantRef[] {
  const { tenants, placed } = env.dataset;
  const rlsCount = Math.min(12, tenants.length);
  const rls = Array.from({ length: rlsCount }, (_, i) => tenants[Math.floor((i * tenants.length) / rlsCount)]!);
  return [...rls, ...(placed.schema?.tenants ?? [])];
}

async function startBouncer({ server }: BenchEnv, b: NonNullable<Setup['bouncer']>): Promise<PgBouncer> {
  const local = await startLocalPgBouncer({
    adminUrl: server.adminUrl,
    authPassword: AUTH_PASSWORD,
    settings: { poolMode: b.mode, defaultPoolSize: b.pool, maxClientConn: MAX_CLIENT_CONN, queryWaitTimeout: b.waitS },
  });
  return local.bouncer;
}

/** A tenancy of `clients` connections, its URL tagged so pg_stat_activity tells whose server connections are whose. */
function tenancyFor(env: BenchEnv, setup: Setup, clients: number, bouncer: PgBouncer | undefined): AppTenancy {
  const direct = new URL(productUrls(env.server).appUrl);
  const url = bouncer ? new URL(bouncer.url(decodeURIComponent(direct.username), decodeURIComponent(direct.password), env.server.database)) : direct;
  url.searchParams.set('application_name', `${APP_NAME}${setup.key}`);
  return benchTenancy(env.server, env.config, {
    appUrl: url.toString(),
    appPoolSize: clients,
    // The default 5 s would re-read every tenant's catalog entry in some rounds and not in others.
    catalogCacheMs: 600_000,
    ...(setup.bouncer ? { pooler: { kind: 'pgbouncer' as const, mode: setup.bouncer.mode } } : {}),
  });
}

/**
 * A backend costs this machine about 0.1 s of CPU over its life (start, first queries, exit), so
 * 500 of them take a quarter of a minute on 2 cores: quick mode leaves session mode out at 500.
 */
function setupsAt(env: BenchEnv, clients: number): Setup[] {
  return env.config.mode === 'quick' && clients > CLIENTS[0] ? SETUPS.filter((s) => s.key !== 'session') : SETUPS;
}

async function measureClients(
  env: BenchEnv,
  clients: number,
  tenants: TenantRef[],
  bouncers: Map<string, PgBouncer>,
  sampler: ServerConnectionSampler,
): Promise<Row[]> {
  const { config, log } = env;
  const setups = setupsAt(env, clients);
  const tenancies: AppTenancy[] = [];
  try {
    const t0 = performance.now();
    // Side by side, untimed: PgBouncer opens a pool's server connections one at a time, so the
    // session pool fills while the direct backends start.
    const settled = await Promise.allSettled(
      setups.map(async (setup): Promise<Side> => {
        const tenancy = tenancyFor(env, setup, clients, bouncers.get(setup.key));
        tenancies.push(tenancy);
        const side = { approach: approachFor(tenancy, setup, sampler, clients), tenants };
        await openConnections(tenancy, clients, tenants);
        for (const wave of warmUpWaves(setup, tenants)) {
          const failed = (await everyConnectionOnce(side, clients, wave)).filter((o) => o.problem !== undefined);
          if (failed.length) log(`    ${setup.label}: ${failed.length} of ${clients} warm-up calls failed (${failed[0]!.problem})`);
        }
        return side;
      }),
    );
    // Every setup settles first: closing a tenancy while its pool still opens would hang.
    const sides = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
    const prepareSeconds = (performance.now() - t0) / 1000;
    log(`    ${clients} client connections per setup opened and warmed in ${prepareSeconds.toFixed(1)} s`);
    const quick = config.mode === 'quick';
    const settings = {
      callers: clients,
      // 500 callers take turns on 2 cores: a round must still hold a few calls of each.
      roundMs: Math.max(config.roundMs, quick ? 300 : 1_500) * (clients > 100 ? 2 : 1),
      warmupMs: config.warmupMs,
      passes: config.passes,
    };
    const { baseline, peers } = await runChain(sides[0]!, sides.slice(1), WORKLOAD, settings);
    return [baseline, ...peers].map((stats, i) => {
      const setup = setups[i]!;
      const row: Row = { clients, setup, stats, serverConnections: sampler.max(`${setup.key}-${clients}`), prepareSeconds };
      log(
        `    ${String(clients).padStart(3)} clients, ${setup.label.padEnd(21)} ${fmt(stats.opsPerSec).padStart(6)} ops/s, p50 ${fmtMs(stats.p50Ms)} ms, p99 ${fmtMs(stats.p99Ms)} ms, ${fmtRatio(stats.ratio, stats.ratioMin, stats.ratioMax)}, server connections ${row.serverConnections}, failed ${stats.errors}/${stats.calls}`,
      );
      return row;
    });
  } finally {
    await Promise.all(tenancies.map((t) => t.close()));
  }
}

/**
 * Session mode with fewer server connections than client connections. Every client sends one
 * call at once: the first to get a server connection keep it while they stay connected, so the
 * others can only wait for query_wait_timeout, however short the calls are. Each probe starts a
 * PgBouncer of its own, so nothing an earlier probe left behind is in its pools.
 */
async function starvedProbe(env: BenchEnv, clients: number, tenants: TenantRef[], sampler: ServerConnectionSampler): Promise<Starved> {
  const key = `${STARVED.key}-${clients}`;
  const result: Starved = { clients, served: 0, failed: 0, servedP50Ms: NaN, failedAfterMs: NaN, failure: undefined, serverConnections: 0 };
  const bouncer = await startBouncer(env, STARVED.bouncer!);
  let tenancy: AppTenancy | undefined;
  try {
    tenancy = tenancyFor(env, STARVED, clients, bouncer);
    // Logins wait for query_wait_timeout too, and a busy server can outlast it; the probe is about what comes after.
    for (let attempt = 1; ; attempt++) {
      const failed = await openConnections(tenancy, clients, tenants).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failed === undefined) break;
      if (attempt === 3) throw failed;
      await sleep(1_000);
    }
    const outcomes = await everyConnectionOnce({ approach: approachFor(tenancy, STARVED, sampler, clients), tenants }, clients);
    const served = outcomes.filter((o) => o.problem === undefined);
    const failed = outcomes.filter((o) => o.problem !== undefined);
    Object.assign(result, {
      served: served.length,
      failed: failed.length,
      failure: failed[0]?.problem,
      servedP50Ms: median(served.map((o) => o.ms)),
      failedAfterMs: median(failed.map((o) => o.ms)),
    });
  } catch (error) {
    result.failure = `the probe could not run: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await tenancy?.close();
    await bouncer.stop();
  }
  result.serverConnections = sampler.max(key);
  env.log(`    ${String(clients).padStart(3)} clients, ${STARVED.label}: ${result.served} calls served, ${result.failed} failed (${result.failure ?? 'none'})`);
  return result;
}

/**
 * A schema tenant's tables are relations of their own that each backend loads on first use: every
 * connection that is a backend of its own meets every schema tenant once. Transaction mode's few
 * backends meet them all within one wave.
 */
function warmUpWaves(setup: Setup, tenants: TenantRef[]): TenantRef[][] {
  if (setup.bouncer?.mode === 'transaction') return [tenants];
  return [tenants.filter((t) => t.strategy !== 'schema'), ...tenants.filter((t) => t.strategy === 'schema').map((t) => [t])];
}

/** One checked call per client connection, all at once (each takes its own idle connection). */
async function everyConnectionOnce(side: Side, clients: number, tenants = side.tenants): Promise<{ ms: number; problem: string | undefined }[]> {
  const rnd = prng(clients);
  return Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const tenant = tenants[i % tenants.length]!;
      const statement = WORKLOAD.statement(tenant, rnd);
      const t0 = performance.now();
      const problem = await side.approach.call(tenant, [statement]).then(
        ([rows]) => statement.check(rows ?? []),
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      return { ms: performance.now() - t0, problem };
    }),
  );
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : NaN;
}

/** A point lookup by id or the newest 50 tasks, even odds: what a small API request reads. */
const WORKLOAD: Workload = (() => {
  const point = WORKLOADS.find((w) => w.key === 'point')!;
  const newest = WORKLOADS.find((w) => w.key === 'newest')!;
  return { key: 'point', label: 'point lookup or newest 50', statement: (t, rnd) => (rnd() < 0.5 ? point : newest).statement(t, rnd) };
})();

/** withTenant calls that tell the sampler whose they are, so it credits the server connections it sees to them. */
function approachFor(tenancy: AppTenancy, setup: Setup, sampler: ServerConnectionSampler, clients: number): Approach {
  const inner = withTenantApproach(tenancy, 'rls', 1);
  const [key, tag] = [`${setup.key}-${clients}`, `${APP_NAME}${setup.key}`];
  return {
    ...inner,
    key: setup.key,
    label: setup.label,
    detail: setup.detail,
    call: (t, statements) => {
      sampler.watch(key, tag);
      return inner.call(t, statements);
    },
  };
}

/**
 * Opens every connection of the tenancy's pool: transactions that send nothing (withTenant sends
 * BEGIN with the first statement) hold their connections until all are open.
 */
async function openConnections(tenancy: AppTenancy, clients: number, tenants: TenantRef[]): Promise<void> {
  const context = (t: TenantRef) => ({ role: 'member', userId: t.userId });
  // The catalog entries first: a cold lookup is a query on the same pool.
  for (const t of tenants) await tenancy.withTenant(t.id, async () => undefined, context(t));
  let release!: () => void;
  const allOpen = new Promise<void>((resolve) => (release = resolve));
  const holds: Promise<void>[] = [];
  try {
    for (let opened = 0; opened < clients; opened += OPEN_BATCH) {
      const batch = Array.from({ length: Math.min(OPEN_BATCH, clients - opened) }, () => {
        let inHand!: () => void;
        const held = new Promise<void>((resolve) => (inHand = resolve));
        const hold = async () => {
          inHand();
          await allOpen;
        };
        holds.push(tenancy.withTenant(tenants[0]!.id, hold, context(tenants[0]!)));
        return held;
      });
      // A failed checkout rejects the second promise; the holds never settle before release().
      await Promise.race([Promise.all(batch), Promise.all(holds)]);
    }
  } finally {
    release();
    await Promise.allSettled(holds);
  }
}

/**
 * The app role's server connections in pg_stat_activity while calls run, per setup, told apart
 * by application_name (PgBouncer sets the client's on the server connection it lends).
 */
interface ServerConnectionSampler {
  /** Credits what the sampler sees from now on to `key`, counting connections named `tag`. */
  watch(key: string, tag: string): void;
  max(key: string): number;
  stop(): Promise<void>;
}

async function startSampler(adminUrl: string): Promise<ServerConnectionSampler> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined); // the next query fails and says why
  await client.connect();
  const peaks = new Map<string, number>();
  let current: { key: string; tag: string } | undefined;
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    for (; !stopped && failure === undefined; await sleep(100)) {
      const watched = current;
      if (!watched) continue;
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = $1 AND application_name = $2`,
        [ROLES.app, watched.tag],
      );
      peaks.set(watched.key, Math.max(peaks.get(watched.key) ?? 0, rows[0]!.n));
    }
  })().catch((error: unknown) => (failure = error));
  return {
    watch: (key, tag) => {
      if (current?.key !== key) current = { key, tag };
    },
    max: (key) => peaks.get(key) ?? 0,
    // A count that stopped early would read as fewer connections: the section fails instead.
    stop: async () => {
      stopped = true;
      await loop;
      await client.end();
      if (failure !== undefined) throw failure;
    },
  };
}

function report(env: BenchEnv, rows: Row[], starved: Starved[], tenants: TenantRef[]): SectionResult {
  const failures = (s: Stats) => (s.errors ? `${fmt(s.errors)} of ${fmt(s.calls)}: ${s.errorSamples[0] ?? ''}` : `0 of ${fmt(s.calls)}`);
  const throughput: Table = {
    id: 'pooler',
    title: '6.1 The same tenant workload direct and through PgBouncer, by client connections',
    columns: ['client connections', 'setup', 'ops/s', 'p50 ms', 'p99 ms', 'ratio to direct (spread)', 'server connections', 'calls failed'],
    rows: rows.map((r) => [
      r.clients,
      r.setup.label,
      fmt(r.stats.opsPerSec),
      fmtMs(r.stats.p50Ms),
      fmtMs(r.stats.p99Ms),
      fmtRatio(r.stats.ratio, r.stats.ratioMin, r.stats.ratioMax),
      r.serverConnections,
      failures(r.stats),
    ]),
    notes: [...SETUPS.map((s) => `- **${s.label}**: ${s.detail}.`), "Direct's own spread is how far its rounds drifted around their mean."],
    chart: groupedBarChart(
      'withTenant calls per second, direct and through PgBouncer (higher is better)',
      'ops/s',
      rows.map((r) => ({ label: `${r.clients} client connections`, series: r.setup.label, value: r.stats.opsPerSec })),
    ),
  };
  const starvedTable: Table = {
    id: 'session-starved',
    title: `6.2 Session mode with a server pool of ${SERVER_POOL}: one call per client connection, all at once`,
    columns: ['client connections', 'calls served', 'served in (p50 ms)', 'calls failed', 'failed after (p50 ms)', 'failure', 'server connections'],
    rows: starved.map((s) => [s.clients, s.served, fmtMs(s.servedP50Ms), s.failed, fmtMs(s.failedAfterMs), s.failure ?? '', s.serverConnections]),
  };
  const schemaCount = tenants.filter((t) => t.strategy === 'schema').length;
  const quickGap = env.config.mode === 'quick' ? [text('quick-gap', { clients: CLIENTS[1] })] : [];
  return {
    name: 'pooler',
    title: '6. PgBouncer: direct, session and transaction mode',
    machine: env.machine,
    intro: [
      text('calls', { tenants: tenants.length, rlsTenants: tenants.length - schemaCount, schemaTenants: schemaCount }),
      text('columns', { clientCounts: CLIENTS.join(' or '), pgbouncer: env.machine.pgbouncer, maxClientConn: MAX_CLIENT_CONN }),
      text('server-connections'),
    ],
    tables: [throughput, starvedTable],
    notes: [
      ...findings(rows),
      ...quickGap,
      text('shared-machine', {
        callers: CLIENTS[1],
        warmUp: CLIENTS.flatMap((c) => rows.filter((r) => r.clients === c).slice(0, 1))
          .map((r) => `${r.prepareSeconds.toFixed(0)} s at ${r.clients}`)
          .join(' and '),
      }),
      text('session-mode'),
      text('database-tenants'),
    ],
    data: {
      serverPool: SERVER_POOL,
      sessionPool: SESSION_POOL,
      starvedWaitSeconds: STARVED_WAIT_S,
      tenants: tenants.map((t) => ({ slug: t.slug, strategy: t.strategy })),
      rows: rows.map((r) => ({ clients: r.clients, setup: r.setup.key, serverConnections: r.serverConnections, prepareSeconds: r.prepareSeconds, ...r.stats })),
      starved,
    },
  };
}

/** One line per client count: what each setup did against direct. */
function findings(rows: Row[]): string[] {
  const line = (r: Row) =>
    `${r.setup.label} ${fmt(r.stats.opsPerSec)} calls/s (${r.stats.ratio.toFixed(2)}x direct, p99 ${fmtMs(r.stats.p99Ms)} ms) on ${r.serverConnections} server connections`;
  return CLIENTS.map((c) => rows.filter((r) => r.clients === c))
    .filter((at) => at.length > 0)
    .map((at) => `**${at[0]!.clients} client connections:** ${at.map(line).join('; ')}.`);
}
