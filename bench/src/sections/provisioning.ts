import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import type { AppTenancy } from '@repo/db/tenancy';
import type { MigrateProgress, MigrateSummary, StrategyName } from '@repo/tenancy';
import pg from 'pg';
import { benchTenancy, MemorySecrets } from '../harness/dataset';
import { withClient } from '../harness/database';
import { fmt, fmtMs, type BenchEnv } from '../harness/env';
import { groupedBarChart, type SectionResult, type Table } from '../harness/report';
import { prose } from '../harness/prose';
import { dropByPrefix, freshDatabase, type SectionUrls } from '../harness/section-database';

const text = prose('provisioning');

/**
 * Every database and role this section creates starts with this prefix (tenant databases and
 * roles are cluster-wide): cleanup drops by it, and no other section uses it.
 */
const PREFIX = 'bench_prov_';
/** A slug starts with a letter, so `<prefix>_...` can never be a tenant placement. */
const PLACE_DB = `${PREFIX}_place`;
const MIGRATE_DB = `${PREFIX}_migrate`;
/** Own name prefixes, so each tenancy has its own templates (the database template is cluster-wide too). */
const NAME_PREFIX = { product: PREFIX, replay: `${PREFIX}r_`, migrate: `${PREFIX}m_` } as const;
/** The library's per-placement tracking table (not exported): clone copies its rows, replay writes new ones. */
const TRACKING_TABLE = '__tenant_migrations';
const MIGRATE_CONCURRENCY = [1, 2, 4] as const;
/** createTenant() calls in flight at once while 5.2 signs its tenants up. */
const PROVISION_CONCURRENCY = 4;

type Via = 'product' | 'replay';
interface Kind {
  key: string;
  label: string;
  strategy: StrategyName;
  via: Via;
}

const KINDS: readonly Kind[] = [
  { key: 'rls', label: 'rls: catalog row, shared tables', strategy: 'rls', via: 'product' },
  { key: 'schema', label: 'schema: clone of the template schema', strategy: 'schema', via: 'product' },
  { key: 'database', label: 'database: CREATE DATABASE from template', strategy: 'database', via: 'product' },
  { key: 'replay', label: 'peer: schema, replaying every migration', strategy: 'schema', via: 'replay' },
];

interface Spread {
  n: number;
  p50: number;
  p95: number;
  mean: number;
  min: number;
  max: number;
}

interface MigrateRun {
  concurrency: number;
  tag: string;
  totalMs: number;
  /** Shared tables and both templates, before the first tenant starts. */
  fixedMs: number;
  perTenantMs: number[];
  spread: Spread;
}

/** Nearest-rank quantiles: with 20 samples p95 is the 19th, not the largest. */
function spread(samples: number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  return { n: sorted.length, p50: rank(0.5), p95: rank(0.95), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, min: sorted[0]!, max: sorted.at(-1)! };
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`provisioning: ${message}`);
}

function expectClean(summary: MigrateSummary, what: string): void {
  const failures = summary.failed.map((f) => `${f.placement}: ${f.error?.message ?? '?'}`);
  check(failures.length === 0, `${what} reported failures: ${failures.join('; ')}`);
}

function sectionTenancy(env: BenchEnv, urls: SectionUrls, namePrefix: string, secrets: MemorySecrets, migrationsFolder = TENANT_MIGRATIONS_FOLDER): AppTenancy {
  return benchTenancy(env.server, env.config, { adminUrl: urls.adminUrl, appUrl: urls.appUrl, namePrefix, secrets, migrationsFolder });
}

/** Drops every database, then every role, this section may have left, an interrupted earlier run's included. */
function dropEverything(env: BenchEnv): Promise<void> {
  return dropByPrefix(env, PREFIX);
}

interface Journal {
  entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
}

function readJournal(folder: string): Journal {
  return JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
}

/** Statements a replay runs, split as the library splits drizzle-kit files. */
function countStatements(folder: string): { files: number; statements: number } {
  const { entries } = readJournal(folder);
  const statements = entries.flatMap((e) =>
    readFileSync(path.join(folder, `${e.tag}.sql`), 'utf8')
      .split('--> statement-breakpoint')
      .filter((s) => s.trim()),
  );
  return { files: entries.length, statements: statements.length };
}

/**
 * Copies of the repo's tenant migrations in a temp dir, folder k holding k + 1 new migrations in
 * drizzle-kit's format, so each migrate() run applies exactly one new migration to every tenant.
 */
function migrationFolders(count: number): { root: string; runs: { folder: string; tag: string; column: string }[] } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-provisioning-'));
  const last = readJournal(TENANT_MIGRATIONS_FOLDER).entries.at(-1)!;
  const added = Array.from({ length: count }, (_, i) => {
    const idx = last.idx + 1 + i;
    const column = `bench_note_${i + 1}`;
    return { entry: { idx, version: last.version, when: last.when + 1 + i, tag: `${String(idx).padStart(4, '0')}_${column}`, breakpoints: true }, column };
  });
  const runs = added.map(({ entry, column }, k) => {
    const folder = path.join(root, `run_${k + 1}`);
    cpSync(TENANT_MIGRATIONS_FOLDER, folder, { recursive: true });
    const journal = readJournal(folder);
    for (const { entry: e, column: c } of added.slice(0, k + 1)) {
      writeFileSync(path.join(folder, `${e.tag}.sql`), `ALTER TABLE "projects" ADD COLUMN "${c}" text;`);
      journal.entries.push(e);
    }
    writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify(journal, null, 2));
    return { folder, tag: entry.tag, column };
  });
  return { root, runs };
}

/** Through the product path: the tenant's route, role and policies; an empty tenant counts 0 projects. */
async function answersEmpty(tenancy: AppTenancy, slug: string, column = '*'): Promise<void> {
  const counted = column === '*' ? '*' : pg.escapeIdentifier(column);
  const { rows } = await tenancy.queryAs<{ n: number }>(slug, `select count(${counted})::int as n from projects`);
  check(rows[0]?.n === 0, `tenant ${slug} answered ${JSON.stringify(rows)} instead of n = 0`);
}

async function createTimed(tenancy: AppTenancy, kind: Kind, slug: string): Promise<number> {
  const started = performance.now();
  const tenant = await tenancy.createTenant({ slug, name: `Provisioning bench ${slug}`, strategy: kind.strategy });
  const ms = performance.now() - started;
  check(tenant.status === 'active', `${slug} is ${tenant.status} after createTenant`);
  return ms;
}

/** Clone copies the template's tracking rows; a replay writes its own, later ones. */
async function replayedFlags(adminUrl: string, tenants: { schema: string; template: string }[]): Promise<boolean[]> {
  return withClient(adminUrl, async (c) => {
    const flags: boolean[] = [];
    for (const { schema, template } of tenants) {
      const max = (s: string) => `(SELECT max(applied_at) FROM ${pg.escapeIdentifier(s)}.${TRACKING_TABLE})`;
      const { rows } = await c.query<{ replayed: boolean }>(`SELECT ${max(schema)} > ${max(template)} AS replayed`);
      flags.push(rows[0]!.replayed);
    }
    return flags;
  });
}

interface Made {
  slug: string;
  kind: Kind;
  /** The peer's warm-up tenant came before its template had the function, so it was cloned. */
  replayed: boolean;
}

async function verifyProvisioned(adminUrl: string, tenancies: Record<Via, AppTenancy>, made: Made[], latestTag: string): Promise<void> {
  const catalog = new Map((await tenancies.product.listTenants()).map((t) => [t.slug, t]));
  const schemaTenants: { schema: string; template: string; replay: boolean }[] = [];
  for (const { slug, kind, replayed } of made) {
    const tenant = catalog.get(slug);
    check(tenant?.status === 'active', `${slug} is ${tenant?.status ?? 'missing'} in the catalog`);
    check(
      tenant!.strategy === kind.strategy && tenant!.schemaVersion === latestTag,
      `${slug}: ${tenant!.strategy} at ${tenant!.schemaVersion}, expected ${kind.strategy} at ${latestTag}`,
    );
    await answersEmpty(tenancies[kind.via], slug);
    if (kind.strategy === 'schema') schemaTenants.push({ schema: tenant!.schemaName, template: `${NAME_PREFIX[kind.via]}_template`, replay: replayed });
  }
  const flags = await replayedFlags(adminUrl, schemaTenants);
  for (const [i, t] of schemaTenants.entries()) check(flags[i] === t.replay, `${t.schema} was ${flags[i] ? 'replayed' : 'cloned'}, expected the other`);
}

/** Part 1: createTenant per strategy, interleaved, in a database of its own. */
async function measureProvisioning(env: BenchEnv, perKind: number) {
  const prepareStarted = performance.now();
  const urls = await freshDatabase(env, PLACE_DB);
  const prepareMs = performance.now() - prepareStarted;
  const secrets = new MemorySecrets();
  const tenancies: Record<Via, AppTenancy> = {
    product: sectionTenancy(env, urls, NAME_PREFIX.product, secrets),
    replay: sectionTenancy(env, urls, NAME_PREFIX.replay, secrets),
  };
  try {
    // Once per deployment, not per tenant: both templates (schema and database), timed apart.
    let started = performance.now();
    expectClean(await tenancies.product.migrate(), 'template migrate');
    const templatesMs = performance.now() - started;
    // An untimed round first: pools connect, the peer's template gets created.
    started = performance.now();
    for (const kind of KINDS) await createTimed(tenancies[kind.via], kind, `${kind.key}_warm`);
    const warmupMs = performance.now() - started;
    env.log(`    database prepared in ${fmtMs(prepareMs)} ms, templates in ${fmtMs(templatesMs)} ms, warm-up round in ${fmtMs(warmupMs)} ms`);
    // An enum type in a template makes the library refuse to clone and replay the migrations instead (it clones
    // tables, policies, SQL and PL/pgSQL functions and triggers, nothing else).
    await withClient(urls.adminUrl, (c) =>
      c.query(`CREATE TYPE ${pg.escapeIdentifier(`${NAME_PREFIX.replay}_template`)}.bench_replay_marker AS ENUM ('replay')`),
    );
    const timings: Record<string, number[]> = Object.fromEntries(KINDS.map((k) => [k.key, []]));
    const made: Made[] = KINDS.map((kind) => ({ slug: `${kind.key}_warm`, kind, replayed: false }));
    for (let i = 0; i < perKind; i++) {
      for (const kind of KINDS) {
        const slug = `${kind.key}_${String(i).padStart(4, '0')}`;
        timings[kind.key]!.push(await createTimed(tenancies[kind.via], kind, slug));
        made.push({ slug, kind, replayed: kind.via === 'replay' });
      }
    }
    await verifyProvisioned(urls.adminUrl, tenancies, made, readJournal(TENANT_MIGRATIONS_FOLDER).entries.at(-1)!.tag);
    env.log(`    ${made.length} tenants provisioned and checked`);
    return { timings, prepareMs, templatesMs, warmupMs };
  } finally {
    await Promise.all([tenancies.product.close(), tenancies.replay.close()]);
  }
}

/**
 * migrate() reports completions only. Its workers take tenants from one queue in catalog order and
 * take the next as soon as they report, so queue position c + k starts at the k-th tenant report,
 * and the first c positions start at the last template's report.
 */
function perTenantMs(order: string[], events: { at: number; progress: MigrateProgress }[], concurrency: number): number[] {
  const tenantEvents = events.filter((e) => e.progress.tenant);
  const tenantsStart = events.filter((e) => !e.progress.tenant).at(-1)!.at;
  const doneAt = new Map(tenantEvents.map((e) => [e.progress.tenant!.slug, e.at]));
  return order.map((slug, i) => doneAt.get(slug)! - (i < concurrency ? tenantsStart : tenantEvents[i - concurrency]!.at));
}

async function migrateOnce(env: BenchEnv, tenancy: AppTenancy, run: { tag: string; column: string }, concurrency: number, n: number): Promise<MigrateRun> {
  const order = (await tenancy.listTenants()).filter((t) => t.status === 'active').map((t) => t.slug);
  check(order.length === n, `${order.length} active tenants to migrate, expected ${n}`);
  const events: { at: number; progress: MigrateProgress }[] = [];
  const started = performance.now();
  const summary = await tenancy.migrate({ concurrency, onProgress: (progress) => events.push({ at: performance.now(), progress }) });
  const totalMs = performance.now() - started;
  expectClean(summary, `migrate (concurrency ${concurrency})`);
  check(events.filter((e) => e.progress.tenant).length === n, `${events.length} progress events for ${n} tenants`);
  for (const tenant of await tenancy.listTenants())
    check(tenant.schemaVersion === run.tag, `${tenant.slug} is at ${tenant.schemaVersion}, expected ${run.tag}`);
  // The new column, read through each tenant's own route and role.
  for (const slug of order) await answersEmpty(tenancy, slug, run.column);
  const perTenant = perTenantMs(order, events, concurrency);
  const fixedMs = events.filter((e) => !e.progress.tenant).at(-1)!.at - started;
  env.log(`    migrate ${run.tag}, concurrency ${concurrency}: ${fmt(totalMs / 1000, 2)} s, checked`);
  return { concurrency, tag: run.tag, totalMs, fixedMs, perTenantMs: perTenant, spread: spread(perTenant) };
}

/** Part 2: N schema tenants, then one new migration per concurrency, in a database of its own. */
async function measureMigrate(env: BenchEnv, n: number) {
  const urls = await freshDatabase(env, MIGRATE_DB);
  const secrets = new MemorySecrets();
  const { root, runs } = migrationFolders(MIGRATE_CONCURRENCY.length);
  const base = sectionTenancy(env, urls, NAME_PREFIX.migrate, secrets);
  try {
    const started = performance.now();
    // Signups arrive together: four at a time, as concurrent requests would (see the notes).
    const slugs = Array.from({ length: n }, (_, i) => `mig_${String(i).padStart(4, '0')}`);
    for (let i = 0; i < n; i += PROVISION_CONCURRENCY) {
      await Promise.all(slugs.slice(i, i + PROVISION_CONCURRENCY).map((slug) => createTimed(base, KINDS[1]!, slug)));
    }
    const provisionAllMs = performance.now() - started;
    env.log(`    ${n} schema tenants provisioned in ${fmtMs(provisionAllMs)} ms`);
    // Untimed: creates this deployment's database template, so no timed run pays for it.
    expectClean(await base.migrate(), 'warm-up migrate');
    const results: MigrateRun[] = [];
    for (const [i, concurrency] of MIGRATE_CONCURRENCY.entries()) {
      const tenancy = sectionTenancy(env, urls, NAME_PREFIX.migrate, secrets, runs[i]!.folder);
      try {
        results.push(await migrateOnce(env, tenancy, runs[i]!, concurrency, n));
      } finally {
        await tenancy.close();
      }
    }
    return { provisionAllMs, results };
  } finally {
    await base.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function provisioningTable(timings: Record<string, number[]>, perKind: number): Table {
  const rows = KINDS.map((kind) => ({ kind, s: spread(timings[kind.key]!) }));
  const values = rows.flatMap(({ kind, s }) => [
    { label: kind.label, series: 'p50', value: s.p50 },
    { label: kind.label, series: 'p95', value: s.p95 },
  ]);
  return {
    id: 'provisioning',
    title: `5.1 createTenant() per strategy, ${perKind} tenants each, interleaved`,
    columns: ['strategy', 'tenants', 'p50 ms', 'p95 ms', 'mean ms', 'min ms', 'max ms'],
    rows: rows.map(({ kind, s }) => [kind.label, s.n, fmtMs(s.p50), fmtMs(s.p95), fmtMs(s.mean), fmtMs(s.min), fmtMs(s.max)]),
    notes: [
      'p50/p95 are nearest-rank over the timed tenants (untimed warm-up tenants excluded). The peer row is this library forced onto its replay path, not another library.',
    ],
    chart: groupedBarChart('Time to provision one tenant, ms (lower is better), log scale', 'ms', values, true),
  };
}

function migrateTable(results: MigrateRun[], n: number): Table {
  return {
    id: 'migrate',
    title: `5.2 migrate(): one new migration (ALTER TABLE projects ADD COLUMN) over ${n} schema tenants`,
    columns: ['tenants', 'concurrency', 'total s', 'shared + templates ms', 'per-tenant p50 ms', 'per-tenant p95 ms', 'tenants/s'],
    rows: results.map((r) => [
      n,
      r.concurrency,
      fmt(r.totalMs / 1000, 2),
      fmtMs(r.fixedMs),
      fmtMs(r.spread.p50),
      fmtMs(r.spread.p95),
      fmt((n * 1000) / r.totalMs, 1),
    ]),
    notes: [text('total')],
    chart: groupedBarChart(
      `migrate() over ${n} schema tenants, s (lower is better)`,
      's',
      results.flatMap((r) => [
        { label: `concurrency ${r.concurrency}`, series: 'whole migrate() call', value: r.totalMs / 1000 },
        { label: `concurrency ${r.concurrency}`, series: 'tenants only', value: (r.totalMs - r.fixedMs) / 1000 },
      ]),
    ),
  };
}

export async function provisioning(env: BenchEnv): Promise<SectionResult> {
  const quick = env.config.mode === 'quick';
  const perKind = quick ? 5 : 20;
  const migrateTenants = quick ? 20 : 100;
  const sectionStart = performance.now();
  await dropEverything(env);
  let placed: Awaited<ReturnType<typeof measureProvisioning>>;
  let migrated: Awaited<ReturnType<typeof measureMigrate>>;
  try {
    placed = await measureProvisioning(env, perKind);
    migrated = await measureMigrate(env, migrateTenants);
  } finally {
    await dropEverything(env);
  }
  const sectionSeconds = (performance.now() - sectionStart) / 1000;
  const history = countStatements(TENANT_MIGRATIONS_FOLDER);
  const p50 = (key: string) => spread(placed.timings[key]!).p50;
  const [first, last] = [migrated.results[0]!, migrated.results.at(-1)!];
  return {
    name: 'provisioning',
    title: '5. Provisioning and migrations',
    machine: env.machine,
    intro: [
      text('fresh-database'),
      text('createtenant', { templatesMs: fmtMs(placed.templatesMs), files: history.files, statements: history.statements }),
      text('migrate', { migrateTenants, provisionConcurrency: PROVISION_CONCURRENCY }),
      text('checked'),
    ],
    tables: [provisioningTable(placed.timings, perKind), migrateTable(migrated.results, migrateTenants)],
    notes: [
      text('p50', {
        databaseOverSchema: fmt(p50('database') / p50('schema'), 1),
        schemaOverRls: fmt(p50('schema') / p50('rls'), 1),
        replayOverSchema: fmt(p50('replay') / p50('schema'), 2),
        replayMs: fmtMs(p50('replay')),
        schemaMs: fmtMs(p50('schema')),
        files: history.files,
        statements: history.statements,
      }),
      text('tenants-only', {
        tenantSeconds: migrated.results.map((r) => `${fmt((r.totalMs - r.fixedMs) / 1000, 2)} s at concurrency ${r.concurrency}`).join(', '),
        lastConcurrency: last.concurrency,
        speedup: fmt((first.totalMs - first.fixedMs) / (last.totalMs - last.fixedMs), 1),
        firstConcurrency: first.concurrency,
        cores: env.machine.cores,
        firstSpread: fmtMs(first.spread.p50),
        lastSpread: fmtMs(last.spread.p50),
      }),
      text('provisioned', {
        migrateTenants,
        provisionConcurrency: PROVISION_CONCURRENCY,
        provisionSeconds: fmt(migrated.provisionAllMs / 1000, 1),
        tenantsPerSecond: fmt((migrateTenants * 1000) / migrated.provisionAllMs, 1),
        sectionSeconds: fmt(sectionSeconds, 1),
      }),
    ],
    data: {
      perKind,
      migrateTenants,
      provisioningMs: placed.timings,
      prepareMs: placed.prepareMs,
      templatesMs: placed.templatesMs,
      warmupMs: placed.warmupMs,
      history,
      migrate: migrated.results,
      provisionAllMs: migrated.provisionAllMs,
      sectionSeconds,
    },
  };
}
