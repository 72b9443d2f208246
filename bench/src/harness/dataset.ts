import { randomUUID } from 'node:crypto';
// The very function the tests and `npm run dev` use.
import { prepareDatabase } from '@repo/db/prepare';
import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import { createAppTenancy, type AppTenancy } from '@repo/db/tenancy';
import { StrategyNotSupportedError, type SecretsProvider, type StrategyName, type Tenant } from '@repo/tenancy';
import pg from 'pg';
import type { BenchConfig } from '../config';
import { SEED_COPY, seedDdl } from '../peers/seeds';
import { ensureLoginRole, productUrls, ROLES, withClient, type BenchServer } from './database';
import { ROW_ID_SQL } from './ids';
import type { TenantRef } from './tenant-ref';
import { getNewestOrder, setNewestOrder } from './workloads';

export type { TenantRef };

export interface Dataset {
  /** All rls tenants, index = idx. */
  tenants: TenantRef[];
  /** Tenants placed by other strategies, each mirroring `rlsTwin[i]`. */
  placed: Partial<Record<Exclude<StrategyName, 'rls'>, { tenants: TenantRef[]; rlsTwins: TenantRef[] }>>;
  /** Strategies whose createTenant still throws StrategyNotSupportedError, with the message. */
  unavailable: Partial<Record<StrategyName, string>>;
  totals: { tenants: number; projects: number; tasks: number; largest: { slug: string; tasks: number }; smallest: { slug: string; tasks: number } };
  loadSeconds: number;
}

/** Per-tenant role passwords for schema and database tenants, in memory: the bench's database is thrown away. */
export class MemorySecrets implements SecretsProvider {
  private readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

export const SECRETS = new MemorySecrets();

/** The tenancy the benchmarks call, configured as an app would, with the bench's pool size. */
export function benchTenancy(server: BenchServer, config: BenchConfig, overrides: Partial<Parameters<typeof createAppTenancy>[0]> = {}): AppTenancy {
  const urls = productUrls(server);
  return createAppTenancy({
    adminUrl: urls.adminUrl,
    appUrl: urls.appUrl,
    contextSecret: urls.contextSecret,
    migrationsFolder: TENANT_MIGRATIONS_FOLDER,
    secrets: SECRETS,
    appPoolSize: config.poolSize,
    // Pools wait idle while other approaches run: they must not reconnect inside a timed round.
    idleTimeoutMs: 3_600_000,
    ...overrides,
  });
}

/**
 * Skewed sizes, as a Zipf law over tenant rank (s = 1): the first tenant holds about 13% of all
 * rows, the median one about 0.1%. Every tenant has at least 1 project and 5 tasks.
 */
function sizes(n: number, total: number, min: number): number[] {
  let harmonic = 0;
  for (let i = 1; i <= n; i++) harmonic += 1 / i;
  return Array.from({ length: n }, (_, i) => Math.max(min, Math.round(total / ((i + 1) * harmonic))));
}

/** Rows of one tenant, generated in SQL: ids from (kind, idx, n), newest first by n. */
function generateRows(table: 'projects' | 'tasks', source: string): string {
  if (table === 'projects') {
    return `INSERT INTO projects (tenant_id, id, created_by, created_at, name, description, updated_at)
      SELECT m.id, ${ROW_ID_SQL('p', 'm.idx', 'g')}, m.user_id, m.base - g * interval '7 minutes', 'project ' || g, 'bench project ' || g || ' of tenant ' || m.idx, m.base
      FROM ${source} m, generate_series(1, m.n_projects) g`;
  }
  return `INSERT INTO tasks (tenant_id, id, created_by, created_at, project_id, title, status, assignee_id, due_date, updated_at)
    SELECT m.id, ${ROW_ID_SQL('t', 'm.idx', 'g')}, m.user_id, m.base - g * interval '1 minute',
           ${ROW_ID_SQL('p', 'm.idx', '(1 + g % m.n_projects)')}, 'task ' || g || ' of tenant ' || m.idx,
           (ARRAY['todo', 'doing', 'done'])[1 + g % 3], CASE WHEN g % 4 = 0 THEN NULL ELSE m.user_id END,
           CASE WHEN g % 5 = 0 THEN (m.base - g * interval '1 hour')::date END, m.base
    FROM ${source} m, generate_series(1, m.n_tasks) g`;
}

const BASE_TIME = `'2025-01-01T00:00:00Z'::timestamptz`;

export async function buildDataset(server: BenchServer, config: BenchConfig, log: (line: string) => void): Promise<Dataset> {
  const started = Date.now();
  // The product's own install: tenancy schema, roles, shared tenant tables, control plane.
  const prepared = await prepareDatabase(productUrls(server));
  await prepared.close();

  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await ensureLoginRole(admin, ROLES.plain, 'BYPASSRLS');
    for (const role of [ROLES.setting, ROLES.s003, ROLES.s004]) await ensureLoginRole(admin, role);
    await admin.query(`GRANT USAGE ON SCHEMA public TO ${ROLES.plain}`);
    await admin.query(`GRANT SELECT, INSERT ON public.projects, public.tasks TO ${ROLES.plain}`);

    // Tenants through the public API, a few at a time.
    const { tenants: n, projects: p, tasks: t } = config.data;
    const projectSizes = sizes(n, p, 1);
    const taskSizes = sizes(n, t, 5);
    const tenancy = benchTenancy(server, config);
    const refs: TenantRef[] = [];
    try {
      const created: Tenant[] = new Array(n);
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < n) {
            const i = next++;
            created[i] = await tenancy.createTenant({ slug: tenantSlug('rls', i), name: `Bench tenant ${i}`, strategy: 'rls' });
          }
        }),
      );
      for (let i = 0; i < n; i++) {
        refs.push({
          idx: i,
          id: created[i]!.id,
          slug: created[i]!.slug,
          strategy: 'rls',
          nProjects: projectSizes[i]!,
          nTasks: taskSizes[i]!,
          userId: randomUUID(),
          inserts: { started: 0 },
        });
      }
      log(`  ${n} rls tenants created through createTenant()`);

      await admin.query('CREATE SCHEMA bench');
      await admin.query(
        `CREATE TABLE bench.tenant_map (idx int PRIMARY KEY, id uuid NOT NULL, user_id uuid NOT NULL, n_projects int NOT NULL, n_tasks int NOT NULL, base timestamptz NOT NULL)`,
      );
      await admin.query(
        `INSERT INTO bench.tenant_map SELECT idx, id, user_id, np, nt, ${BASE_TIME} FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::int[], $5::int[]) AS u(idx, id, user_id, np, nt)`,
        [refs.map((r) => r.idx), refs.map((r) => r.id), refs.map((r) => r.userId), refs.map((r) => r.nProjects), refs.map((r) => r.nTasks)],
      );
      // Superuser load: RLS does not apply; FK triggers are off (the generated rows are consistent by construction).
      await admin.query('SET session_replication_role = replica');
      await admin.query(generateRows('projects', 'bench.tenant_map'));
      await admin.query(generateRows('tasks', 'bench.tenant_map'));
      log(`  product tables loaded (${Math.round((Date.now() - started) / 1000)} s)`);
      // Newest-first lists order the way the product's index is built, and the seed tables get the same index.
      const indexDef =
        (await admin.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'tasks_tenant_created_idx'`))
          .rows[0]?.def ?? '';
      setNewestOrder(/created_at DESC NULLS LAST/i.test(indexDef) ? 'DESC NULLS LAST' : 'DESC');
      for (const ddl of seedDdl(server.database, getNewestOrder())) await admin.query(ddl);
      for (const copy of SEED_COPY) await admin.query(copy);
      await admin.query('RESET session_replication_role');
      log(`  seed peer tables loaded (${Math.round((Date.now() - started) / 1000)} s)`);

      const placed: Dataset['placed'] = {};
      const unavailable: Dataset['unavailable'] = {};
      for (const strategy of ['schema', 'database'] as const) {
        const result = await placeTenants(server, tenancy, refs, strategy, config.placedTenants);
        if (typeof result === 'string') {
          unavailable[strategy] = result;
          log(`  ${strategy} tenants: not available yet (${result})`);
        } else {
          placed[strategy] = result;
          log(`  ${result.tenants.length} ${strategy} tenants created and loaded`);
        }
      }
      await admin.query('VACUUM (ANALYZE) public.projects, public.tasks, seeds.projects, seeds.tasks');

      const totals = (
        await admin.query<{ p: number; t: number }>('SELECT (SELECT count(*) FROM public.projects)::int AS p, (SELECT count(*) FROM public.tasks)::int AS t')
      ).rows[0]!;
      return {
        tenants: refs,
        placed,
        unavailable,
        totals: {
          tenants: n,
          projects: totals.p,
          tasks: totals.t,
          largest: { slug: refs[0]!.slug, tasks: refs[0]!.nTasks },
          smallest: { slug: refs[n - 1]!.slug, tasks: refs[n - 1]!.nTasks },
        },
        loadSeconds: Math.round((Date.now() - started) / 100) / 10,
      };
    } finally {
      await tenancy.close();
    }
  } finally {
    await admin.end();
  }
}

export function tenantSlug(strategy: StrategyName, i: number): string {
  return `bench_${strategy}_${String(i).padStart(4, '0')}`;
}

/**
 * Tenants of another strategy, each holding the rows of an rls tenant of the same rank (sampled
 * evenly across sizes, the largest included), so a schema or database tenant is compared with the
 * explicit-WHERE baseline over the very same rows. Returns the reason when the strategy is not
 * available in this build.
 */
async function placeTenants(
  server: BenchServer,
  tenancy: AppTenancy,
  refs: TenantRef[],
  strategy: 'schema' | 'database',
  count: number,
): Promise<{ tenants: TenantRef[]; rlsTwins: TenantRef[] } | string> {
  const twins = Array.from({ length: Math.min(count, refs.length) }, (_, i) => refs[Math.floor((i * refs.length) / count)]!);
  const tenants: TenantRef[] = [];
  for (const [i, twin] of twins.entries()) {
    let tenant: Tenant;
    try {
      tenant = await tenancy.createTenant({ slug: tenantSlug(strategy, i), name: `Bench ${strategy} tenant ${i}`, strategy });
    } catch (error) {
      if (error instanceof StrategyNotSupportedError) return error.message;
      throw error;
    }
    const url = tenant.databaseName ? server.serverUrl(tenant.databaseName) : server.adminUrl;
    await withClient(url, async (c) => {
      await c.query(`SET search_path = ${pg.escapeIdentifier(tenant.schemaName)}, public`);
      await c.query('SET session_replication_role = replica');
      await c.query(
        `CREATE TEMP TABLE m AS SELECT $1::int AS idx, $2::uuid AS id, $3::uuid AS user_id, $4::int AS n_projects, $5::int AS n_tasks, ${BASE_TIME} AS base`,
        [twin.idx, tenant.id, twin.userId, twin.nProjects, twin.nTasks],
      );
      await c.query(generateRows('projects', 'pg_temp.m'));
      await c.query(generateRows('tasks', 'pg_temp.m'));
      await c.query('RESET session_replication_role');
      await c.query('ANALYZE projects');
      await c.query('ANALYZE tasks');
    });
    tenants.push({ ...twin, id: tenant.id, slug: tenant.slug, strategy, inserts: { started: 0 } });
  }
  return { tenants, rlsTwins: twins };
}
