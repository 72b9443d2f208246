import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import type { AppTenancy } from '@repo/db/tenancy';
import type { MigrateOptions, MigrateSummary } from '@repo/tenancy';
import pg from 'pg';
import { benchTenancy, MemorySecrets } from '../harness/dataset';
import { fmt, fmtMs, type BenchEnv } from '../harness/env';
import { prose } from '../harness/prose';
import { groupedBarChart, type SectionResult, type Table } from '../harness/report';
import { dropByPrefix, freshDatabase, type SectionUrls } from '../harness/section-database';

const text = prose('migrate-scale');

/** Every database and role this section creates starts with this (tenant roles are cluster-wide): cleanup drops by it. */
const PREFIX = 'bench_mscale_';
/** A slug starts with a letter, so `<prefix>_...` can never be a tenant placement. */
const DB = `${PREFIX}_db`;
const PROVISION_CONCURRENCY = 4;
const CONCURRENCY = 4;
/** Timed runs of each nothing-pending case; the table shows their median. */
const REPEATS = 3;

interface Case {
  key: string;
  pending: 'nothing pending' | 'one pending migration';
  path: string;
  options: Pick<MigrateOptions, 'fastPath'>;
}

const FAST = 'fast path (this change): one check for all, a transaction only where work is left';
const FULL = 'fastPath: false (as before): a transaction per tenant';

const CASES: readonly Case[] = [
  { key: 'none-fast', pending: 'nothing pending', path: FAST, options: {} },
  { key: 'none-full', pending: 'nothing pending', path: FULL, options: { fastPath: false } },
  { key: 'one-full', pending: 'one pending migration', path: FULL, options: { fastPath: false } },
  { key: 'one-fast', pending: 'one pending migration', path: FAST, options: {} },
];

interface Measured {
  key: string;
  runsMs: number[];
  medianMs: number;
  /** Median of the runs' tenant part: the whole call less the shared tables and templates. */
  tenantsMedianMs: number;
  upToDate: number;
  migrated: number;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`migrate-scale: ${message}`);
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

interface Journal {
  entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
}

/** A temp copy of the repo's tenant migrations with `count` new ones, one ADD COLUMN each, in drizzle-kit's format. */
function withExtraMigrations(root: string, count: number): { folder: string; tag: string; column: string } {
  const folder = path.join(root, `plus_${count}`);
  cpSync(TENANT_MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
  const last = journal.entries.at(-1)!;
  let added = { tag: last.tag, column: '' };
  for (let i = 1; i <= count; i++) {
    const idx = last.idx + i;
    const column = `bench_scale_${i}`;
    const tag = `${String(idx).padStart(4, '0')}_${column}`;
    writeFileSync(path.join(folder, `${tag}.sql`), `ALTER TABLE "projects" ADD COLUMN "${column}" text;`);
    journal.entries.push({ idx, version: last.version, when: last.when + i, tag, breakpoints: true });
    added = { tag, column };
  }
  writeFileSync(journalPath, JSON.stringify(journal, null, 2));
  return { folder, ...added };
}

function sectionTenancy(env: BenchEnv, urls: SectionUrls, secrets: MemorySecrets, migrationsFolder: string): AppTenancy {
  return benchTenancy(env.server, env.config, { adminUrl: urls.adminUrl, appUrl: urls.appUrl, namePrefix: PREFIX, secrets, migrationsFolder });
}

async function provision(env: BenchEnv, tenancy: AppTenancy, n: number): Promise<number> {
  const started = performance.now();
  const slugs = Array.from({ length: n }, (_, i) => `scale_${String(i).padStart(4, '0')}`);
  for (let i = 0; i < n; i += PROVISION_CONCURRENCY) {
    await Promise.all(slugs.slice(i, i + PROVISION_CONCURRENCY).map((slug) => tenancy.createTenant({ slug, name: slug, strategy: 'schema' })));
  }
  const ms = performance.now() - started;
  env.log(`    ${n} schema tenants provisioned in ${fmt(ms / 1000, 1)} s`);
  return ms;
}

interface Timed {
  ms: number;
  /** From the call to the last shared-table or template report: what every run pays before its first tenant. */
  fixedMs: number;
  summary: MigrateSummary;
}

async function timedMigrate(tenancy: AppTenancy, options: MigrateOptions): Promise<Timed> {
  let sharedDone = 0;
  const started = performance.now();
  const summary = await tenancy.migrate({
    concurrency: CONCURRENCY,
    ...options,
    onProgress: (progress) => {
      if (!progress.tenant) sharedDone = performance.now();
    },
  });
  const ms = performance.now() - started;
  const failures = summary.failures.map((f) => `${f.placement}: ${f.message}`);
  check(failures.length === 0, `migrate() reported failures: ${failures.slice(0, 5).join('; ')}`);
  return { ms, fixedMs: sharedDone - started, summary };
}

/** Every tenant at `tag` in the catalog, and (through its own route and role) the new column readable. */
async function verifyAt(tenancy: AppTenancy, n: number, tag: string, column: string): Promise<void> {
  const tenants = await tenancy.listTenants();
  check(tenants.length === n, `${tenants.length} tenants, expected ${n}`);
  for (const tenant of tenants) {
    check(tenant.schemaVersion === tag, `${tenant.slug} is at ${tenant.schemaVersion}, expected ${tag}`);
    if (!column) continue;
    const { rows } = await tenancy.queryAs<{ n: number }>(tenant.slug, `select count(${pg.escapeIdentifier(column)})::int as n from projects`);
    check(rows[0]?.n === 0, `${tenant.slug} answered ${JSON.stringify(rows)} for the new column`);
  }
}

function measured(key: string, runs: Timed[]): Measured {
  const last = runs.at(-1)!.summary;
  const runsMs = runs.map((r) => r.ms);
  return {
    key,
    runsMs,
    medianMs: median(runsMs),
    tenantsMedianMs: median(runs.map((r) => r.ms - r.fixedMs)),
    upToDate: last.upToDate,
    migrated: last.results.filter((r) => r.tenant && !r.upToDate).length,
  };
}

/** Nothing pending, each path REPEATS times, alternated so machine noise spreads over both. */
async function nothingPending(tenancy: AppTenancy, n: number): Promise<Measured[]> {
  const runs: Record<string, Timed[]> = { 'none-fast': [], 'none-full': [] };
  for (let i = 0; i < REPEATS; i++) {
    for (const key of i % 2 === 0 ? ['none-fast', 'none-full'] : ['none-full', 'none-fast']) {
      const run = await timedMigrate(tenancy, CASES.find((c) => c.key === key)!.options);
      const expected = key === 'none-fast' ? n : 0;
      check(run.summary.upToDate === expected, `${key}: ${run.summary.upToDate} tenants confirmed current, expected ${expected}`);
      runs[key]!.push(run);
    }
  }
  return Object.entries(runs).map(([key, r]) => measured(key, r));
}

async function measure(env: BenchEnv, n: number) {
  const urls = await freshDatabase(env, DB);
  const secrets = new MemorySecrets();
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-migrate-scale-'));
  const base = sectionTenancy(env, urls, secrets, TENANT_MIGRATIONS_FOLDER);
  try {
    // Untimed: builds the templates, so provisioning clones and no timed run pays for them.
    await timedMigrate(base, {});
    const provisionMs = await provision(env, base, n);
    const latest = (await base.listTenants())[0]!.schemaVersion!;
    await verifyAt(base, n, latest, '');
    const results = await nothingPending(base, n);
    env.log(`    nothing pending: ${results.map((r) => `${r.key} ${fmt(r.medianMs / 1000, 2)} s`).join(', ')}`);
    for (const [i, key] of ['one-full', 'one-fast'].entries()) {
      const next = withExtraMigrations(root, i + 1);
      const tenancy = sectionTenancy(env, urls, secrets, next.folder);
      try {
        const run = await timedMigrate(tenancy, CASES.find((c) => c.key === key)!.options);
        check(run.summary.upToDate === 0, `${key}: ${run.summary.upToDate} tenants confirmed current with a migration pending`);
        await verifyAt(tenancy, n, next.tag, next.column);
        results.push(measured(key, [run]));
        env.log(`    one pending, ${key}: ${fmt(run.ms / 1000, 2)} s, every tenant checked`);
      } finally {
        await tenancy.close();
      }
    }
    return { provisionMs, results };
  } finally {
    await base.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function scaleTable(results: Measured[], n: number): Table {
  const rows = CASES.map((c) => ({ c, r: results.find((r) => r.key === c.key)! }));
  return {
    id: 'scale',
    title: `10.1 migrate() over ${n} schema tenants, concurrency ${CONCURRENCY}`,
    columns: ['case', 'path', 'tenants', 'runs', 'median s', 'min s', 'tenants part s', 'tenants/s', 'confirmed without a transaction', 'migrated'],
    rows: rows.map(({ c, r }) => [
      c.pending,
      c.path,
      n,
      r.runsMs.length,
      fmt(r.medianMs / 1000, 2),
      fmt(Math.min(...r.runsMs) / 1000, 2),
      fmt(r.tenantsMedianMs / 1000, 3),
      fmt((n * 1000) / r.medianMs, 0),
      r.upToDate,
      r.migrated,
    ]),
    notes: [text('columns')],
    chart: groupedBarChart(
      `migrate() over ${n} schema tenants, s (lower is better), log scale`,
      's',
      rows.map(({ c, r }) => ({ label: c.pending, series: c.options.fastPath === false ? 'fastPath: false' : 'fast path', value: r.medianMs / 1000 })),
      true,
    ),
  };
}

export async function migrateScale(env: BenchEnv): Promise<SectionResult> {
  const n = env.config.mode === 'quick' ? 100 : 1_000;
  const started = performance.now();
  await dropByPrefix(env, PREFIX);
  let result: Awaited<ReturnType<typeof measure>>;
  try {
    result = await measure(env, n);
  } finally {
    await dropByPrefix(env, PREFIX);
  }
  const ms = (key: string) => result.results.find((r) => r.key === key)!.medianMs;
  const tenantsMs = (key: string) => result.results.find((r) => r.key === key)!.tenantsMedianMs;
  return {
    name: 'migrate-scale',
    title: '10. migrate() at scale',
    machine: env.machine,
    intro: [text('intro', { n, provisionConcurrency: PROVISION_CONCURRENCY, repeats: REPEATS }), text('checked')],
    tables: [scaleTable(result.results, n)],
    notes: [
      text('findings', {
        n,
        fastS: fmt(ms('none-fast') / 1000, 2),
        fastTenantsS: fmt(tenantsMs('none-fast') / 1000, 3),
        fullTenantsS: fmt(tenantsMs('none-full') / 1000, 2),
        fullS: fmt(ms('none-full') / 1000, 2),
        speedup: fmt(ms('none-full') / ms('none-fast'), 0),
        perTenantMs: fmtMs(ms('none-full') / n),
        oneFullS: fmt(ms('one-full') / 1000, 2),
        oneFastS: fmt(ms('one-fast') / 1000, 2),
        provisionS: fmt(result.provisionMs / 1000, 1),
        sectionS: fmt((performance.now() - started) / 1000, 1),
      }),
    ],
    data: { tenants: n, concurrency: CONCURRENCY, repeats: REPEATS, provisionMs: result.provisionMs, results: result.results },
  };
}
