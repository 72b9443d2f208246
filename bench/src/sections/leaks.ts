import type { AppTenancy } from '@repo/db/tenancy';
import { startLocalPgBouncer } from '@repo/db/local';
import pg from 'pg';
import { benchTenancy, type TenantRef } from '../harness/dataset';
import { BENCH_ROLE_PASSWORD, productUrls, ROLES, withClient } from '../harness/database';
import type { BenchEnv } from '../harness/env';
import { prng } from '../harness/ids';
import { groupedBarChart, type SectionResult, type Table } from '../harness/report';
import { pidTableSetQueryReset, sessionSetOneString, sessionSetThenQuery, type SeedCall } from '../peers/seeds';
import { prose } from '../harness/prose';

const text = prose('leaks');

const AUTH_PASSWORD = 'bench-pgbouncer-auth-password';
/** Server connections per (database, user) in PgBouncer: fewer than the callers, so they are shared. */
const SERVER_POOL = 3;
const CALLERS = 20;

/**
 * Small tables of their own for this section: each seed's policy, and a tenant_id column that
 * defaults to the seed's context, as the product's does (tenant_id DEFAULT current_tenant_id()):
 * a write that relies on the context is where a stale context lands rows in another tenant.
 */
function leakDdl(): string[] {
  const { setting, s003, s004 } = ROLES;
  const table = (name: string, tenantDefault: string, role: string, policy: string) => [
    `CREATE TABLE leak.${name} (tenant_id uuid NOT NULL DEFAULT ${tenantDefault}, id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    `CREATE INDEX ON leak.${name} (tenant_id, created_at DESC)`,
    `ALTER TABLE leak.${name} ENABLE ROW LEVEL SECURITY`,
    `CREATE POLICY isolation ON leak.${name} FOR ALL TO ${role} USING (${policy}) WITH CHECK (${policy})`,
    `GRANT SELECT, INSERT ON leak.${name} TO ${role}`,
    `GRANT USAGE ON SEQUENCE leak.${name}_id_seq TO ${role}`,
  ];
  return [
    'CREATE SCHEMA leak',
    `GRANT USAGE ON SCHEMA leak TO ${setting}, ${s003}, ${s004}`,
    ...table('projects_setting', `current_setting('app.current_tenant_id')::uuid`, setting, `tenant_id = current_setting('app.current_tenant_id')::uuid`),
    ...table('projects_003', 'seeds.current_tenant_id()', s003, 'tenant_id = seeds.current_tenant_id()'),
    ...table('projects_004', 'seeds.get_tenant_id()', s004, 'tenant_id = seeds.get_tenant_id()'),
  ];
}

interface Outcome {
  approach: string;
  detail: string;
  calls: number;
  reads: number;
  readsWithForeignRows: number;
  foreignRows: number;
  writes: number;
  writesElsewhere: number;
  failed: number;
  failures: string[];
  serverConnections: number;
  connectionsServingSeveralTenants: number;
}

type Op = { kind: 'read' | 'write'; tenant: TenantRef; marker: string };
type Answer = { rows: { tenant_id: string | null; pid: number }[] };

export async function leaks(env: BenchEnv): Promise<SectionResult> {
  const { server, config, dataset, log } = env;
  const tenants = dataset.tenants.slice(-config.leakTenants);
  await withClient(server.adminUrl, async (c) => {
    for (const ddl of leakDdl()) await c.query(ddl);
    // A few rows per tenant and table, so every read has something to return.
    for (const name of ['projects_setting', 'projects_003', 'projects_004']) {
      await c.query(`INSERT INTO leak.${name} (tenant_id, name) SELECT t, 'seed row' FROM unnest($1::uuid[]) t, generate_series(1, 5)`, [
        tenants.map((t) => t.id),
      ]);
    }
  });
  const { bouncer } = await startLocalPgBouncer({
    adminUrl: server.adminUrl,
    authPassword: AUTH_PASSWORD,
    settings: { poolMode: 'transaction', defaultPoolSize: SERVER_POOL, maxClientConn: 500 },
  });
  const pools: pg.Pool[] = [];
  const bouncedPool = (role: string, password = BENCH_ROLE_PASSWORD) => {
    const p = new pg.Pool({ connectionString: bouncer.url(role, password, server.database), max: CALLERS });
    p.on('error', () => undefined);
    pools.push(p);
    return p;
  };
  const appUrl = new URL(productUrls(server).appUrl);
  const tenancy: AppTenancy = benchTenancy(server, config, {
    appUrl: bouncer.url(decodeURIComponent(appUrl.username), decodeURIComponent(appUrl.password), server.database),
    pooler: { kind: 'pgbouncer', mode: 'transaction' },
    appPoolSize: CALLERS,
  });
  const outcomes: Outcome[] = [];
  try {
    const read = (table: string): SeedCall => ({
      text: `SELECT tenant_id, pg_backend_pid() AS pid FROM ${table} ORDER BY created_at DESC LIMIT 20`,
      values: [],
    });
    const write = (table: string, marker: string): SeedCall => ({
      text: `INSERT INTO ${table} (name) VALUES ($1) RETURNING tenant_id, pg_backend_pid() AS pid`,
      values: [marker],
    });
    const seedWay = (
      approach: string,
      detail: string,
      table: string,
      pool: pg.Pool,
      send: (pool: pg.Pool, tenantId: string, calls: SeedCall[]) => Promise<pg.QueryResult[]>,
    ) => ({
      approach,
      detail,
      table,
      run: async (op: Op): Promise<Answer> => {
        const [result] = await send(pool, op.tenant.id, [op.kind === 'read' ? read(table) : write(table, op.marker)]);
        return result as unknown as Answer;
      },
    });
    const ways = [
      seedWay(
        'seed 001: session SET, then query',
        'SET app.current_tenant_id, then the statement, one client held for both',
        'leak.projects_setting',
        bouncedPool(ROLES.setting),
        sessionSetThenQuery,
      ),
      seedWay(
        'seed 002: "SET SESSION; query" string',
        'one simple-protocol string: the SET and the statement reach the same server connection',
        'leak.projects_setting',
        bouncedPool(ROLES.setting),
        sessionSetOneString,
      ),
      seedWay(
        'seed 003: session SET, plpgsql fn',
        'SET app.current_tenant_id, then the statement; policy and default call current_tenant_id()',
        'leak.projects_003',
        bouncedPool(ROLES.s003),
        sessionSetThenQuery,
      ),
      seedWay(
        'seed 004: pid-keyed table',
        'set_tenant_id(), the statement, set_tenant_id(-1); policy and default call get_tenant_id()',
        'leak.projects_004',
        bouncedPool(ROLES.s004),
        pidTableSetQueryReset,
      ),
      {
        approach: 'this project: withTenant',
        detail: 'BEGIN + transaction-local signed context + the statement in one write, COMMIT',
        table: 'public.projects',
        run: (op: Op) =>
          tenancy.withTenant(
            op.tenant.id,
            async (tx) =>
              (op.kind === 'read' ? tx.query(read('projects').text) : tx.query(write('projects', op.marker).text, [op.marker])) as unknown as Promise<Answer>,
            { role: 'member', userId: op.tenant.userId },
          ),
      },
      {
        approach: 'this project: queryAs',
        detail: 'transaction-local signed context and the statement in one implicit transaction (one Sync)',
        table: 'public.projects',
        run: (op: Op) =>
          (op.kind === 'read'
            ? tenancy.queryAs(op.tenant.id, read('projects').text, [], { role: 'member', userId: op.tenant.userId })
            : tenancy.queryAs(op.tenant.id, write('projects', op.marker).text, [op.marker], {
                role: 'member',
                userId: op.tenant.userId,
              })) as unknown as Promise<Answer>,
      },
    ];

    for (const way of ways) {
      const rnd = prng(2024);
      const ops: Op[] = Array.from({ length: config.leakCalls }, (_, i) => {
        const tenant = tenants[Math.floor(rnd() * tenants.length)]!;
        return { kind: rnd() < 0.5 ? 'read' : 'write', tenant, marker: `leak:${tenant.id}:${way.approach}:${i}` };
      });
      const outcome: Outcome = {
        approach: way.approach,
        detail: way.detail,
        calls: ops.length,
        reads: 0,
        readsWithForeignRows: 0,
        foreignRows: 0,
        writes: 0,
        writesElsewhere: 0,
        failed: 0,
        failures: [],
        serverConnections: 0,
        connectionsServingSeveralTenants: 0,
      };
      const pidTenants = new Map<number, Set<string>>();
      let next = 0;
      await Promise.all(
        Array.from({ length: CALLERS }, async () => {
          while (next < ops.length) {
            const op = ops[next++]!;
            if (op.kind === 'read') outcome.reads++;
            else outcome.writes++;
            try {
              const answer = await way.run(op);
              for (const row of answer.rows) {
                let set = pidTenants.get(row.pid);
                if (!set) pidTenants.set(row.pid, (set = new Set()));
                set.add(op.tenant.id);
              }
              if (op.kind === 'read') {
                const foreign = answer.rows.filter((r) => r.tenant_id !== op.tenant.id).length;
                outcome.foreignRows += foreign;
                if (foreign > 0) outcome.readsWithForeignRows++;
              }
            } catch (error) {
              outcome.failed++;
              const message = error instanceof Error ? error.message : String(error);
              if (outcome.failures.length < 3 && !outcome.failures.includes(message)) outcome.failures.push(message);
            }
          }
        }),
      );
      // What really landed, read as superuser: rows written for one tenant that carry another's id.
      await withClient(server.adminUrl, async (c) => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${way.table} WHERE name LIKE $1 AND tenant_id IS DISTINCT FROM split_part(name, ':', 2)::uuid`,
          [`leak:%:${way.approach}:%`],
        );
        outcome.writesElsewhere = rows[0]!.n;
      });
      outcome.serverConnections = pidTenants.size;
      outcome.connectionsServingSeveralTenants = [...pidTenants.values()].filter((s) => s.size > 1).length;
      outcomes.push(outcome);
      log(
        `    ${way.approach.padEnd(38)} reads with foreign rows ${outcome.readsWithForeignRows}/${outcome.reads}, writes elsewhere ${outcome.writesElsewhere}/${outcome.writes}, failed ${outcome.failed}, server connections ${outcome.serverConnections}`,
      );
    }
  } finally {
    await Promise.all(pools.map((p) => p.end()));
    await tenancy.close();
    await bouncer.stop();
  }

  const table: Table = {
    id: 'leaks',
    title: `3.1 ${config.leakCalls.toLocaleString('en-US')} interleaved calls per approach over ${tenants.length} tenants, through PgBouncer (transaction mode, ${SERVER_POOL} server connections per role)`,
    columns: [
      'approach',
      "reads returning another tenant's rows",
      "other tenants' rows returned",
      'writes that landed in another tenant',
      'calls failed',
      'server connections used',
      'of them serving ≥2 tenants',
    ],
    rows: outcomes.map((o) => [
      o.approach,
      `${o.readsWithForeignRows} of ${o.reads}`,
      o.foreignRows,
      `${o.writesElsewhere} of ${o.writes}`,
      o.failed ? `${o.failed}: ${o.failures[0]}` : '0',
      o.serverConnections,
      o.connectionsServingSeveralTenants,
    ]),
    chart: groupedBarChart(
      `Leaks through PgBouncer transaction mode: calls out of ~${Math.round(config.leakCalls / 2)} reads and ~${Math.round(config.leakCalls / 2)} writes each (fewer is better)`,
      'calls',
      outcomes.flatMap((o) => [
        { label: o.approach, series: "reads with another tenant's rows", value: o.readsWithForeignRows },
        { label: o.approach, series: 'writes landed in another tenant', value: o.writesElsewhere },
        { label: o.approach, series: 'calls failed', value: o.failed },
      ]),
    ),
  };
  const leaky = outcomes.filter((o) => o.readsWithForeignRows > 0 || o.writesElsewhere > 0);
  return {
    name: 'leaks',
    title: '3. Why the product exists: leaks',
    machine: env.machine,
    intro: [
      text('pgbouncer', {
        pgbouncer: env.machine.pgbouncer,
        serverPool: SERVER_POOL,
        callers: CALLERS,
        leakCalls: config.leakCalls.toLocaleString('en-US'),
        tenants: tenants.length,
      }),
      text('reads-and-writes'),
      ...outcomes.map((o) => `- **${o.approach}**: ${o.detail}.`),
    ],
    tables: [table],
    notes: [
      leaky.length
        ? text('leaked', {
            leaked: leaky
              .map((o) => `${o.approach} (${o.readsWithForeignRows} reads with other tenants' rows, ${o.writesElsewhere} writes in another tenant)`)
              .join('; '),
          })
        : '**No approach leaked** in this run.',
      text('seed-002'),
    ],
    data: { outcomes, serverPool: SERVER_POOL, callers: CALLERS, tenants: tenants.map((t) => t.slug) },
  };
}
