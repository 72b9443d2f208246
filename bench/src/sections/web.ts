/**
 * Section: what the tenancy layer costs a real request of the web app (apps/web), end to end over HTTP.
 *
 * Starts a throw-away copy of the dev database (@repo/db/local: init.sql, the seeded tenants), builds a copy of the
 * web app with bench/web-baseline laid over it (the app itself has no benchmark route and no read path without the
 * tenancy layer), starts its standalone server, signs in once as alice@acme.test (admin of Acme, an rls tenant) and
 * runs autocannon (50 connections) against two routes, each in two variants:
 *
 *   tenancy   GET /o/acme/projects (the page) and GET /api/o/acme/projects: the session -> withTenant -> policies path;
 *   baseline  GET /o/acme/bench/projects and GET /api/o/acme/bench/projects: the same session check, the same SQL and the same
 *             markup/JSON, but read on a plain pg pool of a BYPASSRLS role with the tenant filter written out
 *             (bench/web-baseline/src/server/bench-baseline.ts), the way an app without the tenancy layer would.
 *
 * Rounds alternate A B B A (baseline, tenancy, tenancy, baseline); each tenancy round is divided by the
 * baseline round next to it. Before timing, both API variants must return the same non-empty JSON, and every
 * timed API request must return exactly that body (autocannon expectBody): an error or an empty answer is
 * never counted as a fast one. Pages must answer 200.
 *
 * Standalone: `npx tsx bench/src/sections/web.ts [--quick] [--no-build]` prints the rows.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLocalStack, type LocalStack } from '@repo/db/local';
import { sessionCookie } from '@repo/e2e/sign-in';
import { startWebServer, type StartedWebServer } from '@repo/e2e/web-server';
import { startTestSmtpServer, type TestSmtpServer } from '@repo/mail/test-server';
import pg from 'pg';
import { grantConnect } from '../harness/database';
import { fmt, fmtMs, fmtRatio, type BenchEnv } from '../harness/env';
import type { SectionResult, Table } from '../harness/report';
import { prose } from '../harness/prose';

const text = prose('web');

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const APP_DIR = path.join(ROOT, 'apps/web');
const OVERLAY_DIR = path.join(ROOT, 'bench/web-baseline');
/** The copy: two levels below the root like apps/web, so its next.config.ts finds the monorepo root where the app's does. */
const COPY_DIR = path.join(ROOT, 'bench/.web');
const SERVER_JS = path.join(COPY_DIR, '.next/standalone/bench/.web/server.js');
/** What the copy leaves out: build output, dependencies, and the app's own tests. */
const NOT_COPIED = new Set(['node_modules', '.next', '.turbo', 'e2e', 'test', 'test-results', 'playwright-report', 'playwright.config.ts', 'vitest.config.ts']);

const USER = { email: 'alice@acme.test', password: 'demo-password' };
/** Alice's Acme (the organisation is in the address), and the baseline's routes beside the app's. */
const PATHS = {
  page: '/o/acme/projects',
  pageBaseline: '/o/acme/bench/projects',
  api: '/api/o/acme/projects',
  apiBaseline: '/api/o/acme/bench/projects',
};
/** A seeded Acme project: a page without it is not the page being measured. */
const PAGE_MARKER = 'Website relaunch';
const BASELINE_ROLE = 'bench_web_baseline';
const BASELINE_PASSWORD = 'bench_web_baseline_password';

export interface WebBenchOptions {
  /** Seconds per timed round (default 10; 3 in quick mode). */
  roundSeconds?: number;
  /** autocannon connections (default 50). */
  connections?: number;
  /** A B B A blocks per route (default 2; 1 in quick mode). */
  passes?: number;
  /** Build the copy of apps/web first (default true). With false, the copy's existing build is used. */
  build?: boolean;
  quick?: boolean;
  log?: (line: string) => void;
}

export interface WebBenchRow {
  route: string;
  variant: 'tenancy' | 'baseline';
  /** Path requested. */
  path: string;
  /** Mean of the rounds' requests per second that were answered 2xx with the expected body. */
  reqPerSec: number;
  /** p99 latency over all the variant's rounds, ms (the worst round's p99). */
  p99Ms: number;
  /** Tenancy: mean of per-round ratios to the adjacent baseline round. Baseline: 1. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  rounds: number;
  requests: number;
  /** Errors, timeouts (10 s), non-2xx answers and body mismatches, all rounds; not counted in reqPerSec. */
  failures: number;
}

export interface WebBenchResult {
  rows: WebBenchRow[];
  settings: { connections: number; roundSeconds: number; passes: number; user: string; tenant: string };
}

// ---- autocannon (no type declarations ship with it) -------------------------------------------------

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  '2xx': number;
  duration: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  expectBody?: string;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// ---- the app -----------------------------------------------------------------------------------------

async function run(command: string, args: string[], cwd: string): Promise<void> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
}

/** apps/web copied to bench/.web with the baseline routes laid over it, type-checked and built. */
async function buildCopy(log: (line: string) => void): Promise<void> {
  log(`building apps/web with bench/web-baseline laid over it, in ${path.relative(ROOT, COPY_DIR)}`);
  rmSync(COPY_DIR, { recursive: true, force: true });
  cpSync(APP_DIR, COPY_DIR, { recursive: true, filter: (source) => !NOT_COPIED.has(path.basename(source)) || source === APP_DIR });
  cpSync(OVERLAY_DIR, COPY_DIR, { recursive: true });
  await run('npx', ['tsc', '--noEmit'], COPY_DIR);
  await run('npx', ['next', 'build'], COPY_DIR);
  cpSync(path.join(COPY_DIR, '.next/static'), path.join(path.dirname(SERVER_JS), '.next/static'), { recursive: true });
}

async function createBaselineRole(stack: LocalStack): Promise<string> {
  const client = new pg.Client({ connectionString: stack.urls.adminDatabaseUrl });
  await client.connect();
  try {
    // Not a superuser: a login role that skips row-level security and may only read the two tables measured.
    await client.query(
      `DO $$ BEGIN CREATE ROLE ${BASELINE_ROLE} LOGIN BYPASSRLS PASSWORD '${BASELINE_PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await grantConnect(client, BASELINE_ROLE);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${BASELINE_ROLE}`);
    await client.query(`GRANT SELECT ON public.projects, public.tasks TO ${BASELINE_ROLE}`);
  } finally {
    await client.end();
  }
  const url = new URL(stack.urls.adminDatabaseUrl);
  url.username = BASELINE_ROLE;
  url.password = BASELINE_PASSWORD;
  return url.toString();
}

/** The copy's standalone server, with the stack's environment and the baseline's connection. */
function startServer(stack: LocalStack, baselineUrl: string, smtpUrl: string, log: (line: string) => void): Promise<StartedWebServer> {
  return startWebServer({
    serverJs: SERVER_JS,
    env: {
      ...stack.env,
      BENCH_BASELINE_DATABASE_URL: baselineUrl,
      // The app mails sign-up and invitation links and refuses to start without an SMTP server; nothing is sent here.
      SMTP_URL: smtpUrl,
    },
    log,
  });
}

async function get(origin: string, pathname: string, cookie: string): Promise<string> {
  const response = await fetch(`${origin}${pathname}`, { headers: { cookie }, redirect: 'manual' });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${pathname} answered ${response.status}: ${body.slice(0, 200)}`);
  return body;
}

// ---- measuring ---------------------------------------------------------------------------------------

interface Target {
  route: string;
  tenancy: string;
  baseline: string;
  /** The exact body every request must return (API), or undefined (pages: status only). */
  expectBody?: string;
}

interface Round {
  reqPerSec: number;
  p99Ms: number;
  requests: number;
  failures: number;
}

async function round(origin: string, pathname: string, cookie: string, seconds: number, connections: number, expectBody?: string): Promise<Round> {
  const result = await autocannon({ url: `${origin}${pathname}`, connections, duration: seconds, headers: { cookie }, ...(expectBody ? { expectBody } : {}) });
  // Only 2xx answers (with the expected body, for the API) count as served; timeouts, errors, other statuses
  // and mismatching bodies are failures, reported next to the figure.
  return {
    reqPerSec: (result['2xx'] - result.mismatches) / result.duration,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function summarize(target: Target, variant: 'tenancy' | 'baseline', rounds: Round[], ratios: number[]): WebBenchRow {
  return {
    route: target.route,
    variant,
    path: variant === 'tenancy' ? target.tenancy : target.baseline,
    reqPerSec: mean(rounds.map((r) => r.reqPerSec)),
    p99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
    ratio: mean(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    rounds: rounds.length,
    requests: rounds.reduce((a, r) => a + r.requests, 0),
    failures: rounds.reduce((a, r) => a + r.failures, 0),
  };
}

/** Starts everything, measures, stops everything. */
export async function runWebBench(options: WebBenchOptions = {}): Promise<WebBenchResult> {
  const quick = options.quick ?? false;
  const connections = options.connections ?? 50;
  const roundSeconds = options.roundSeconds ?? (quick ? 2 : 10);
  const warmupSeconds = quick ? 1 : 2;
  const passes = options.passes ?? (quick ? 1 : 2);
  const log = options.log ?? ((line: string) => console.log(`[web] ${line}`));

  if (options.build ?? true) await buildCopy(log);
  if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run the web benchmark once with its build.`);

  const stack = await startLocalStack();
  let server: StartedWebServer | undefined;
  let smtp: TestSmtpServer | undefined;
  try {
    const baselineUrl = await createBaselineRole(stack);
    smtp = await startTestSmtpServer();
    server = await startServer(stack, baselineUrl, smtp.url, log);
    const { origin } = server;
    const cookie = await sessionCookie(origin, USER);

    // Both API variants must give the same, non-empty answer; the pages must show the tenant's projects.
    const api = await get(origin, PATHS.api, cookie);
    const apiBaseline = await get(origin, PATHS.apiBaseline, cookie);
    const projects = (JSON.parse(api) as { projects: unknown[] }).projects;
    if (projects.length === 0) throw new Error(`GET ${PATHS.api} returned no projects: nothing would be measured`);
    if (api !== apiBaseline) throw new Error(`GET ${PATHS.api} and its baseline ${PATHS.apiBaseline} return different JSON`);
    for (const page of [PATHS.page, PATHS.pageBaseline]) {
      if (!(await get(origin, page, cookie)).includes(PAGE_MARKER)) throw new Error(`GET ${page} does not show "${PAGE_MARKER}"`);
    }
    log(`signed in as ${USER.email}; ${PATHS.api} returns ${projects.length} projects, identical to the baseline`);

    const targets: Target[] = [
      { route: 'projects page', tenancy: PATHS.page, baseline: PATHS.pageBaseline },
      { route: 'GET /api/projects', tenancy: PATHS.api, baseline: PATHS.apiBaseline, expectBody: api },
    ];
    const rows: WebBenchRow[] = [];
    for (const target of targets) {
      const measure = (pathname: string, seconds = roundSeconds) => round(origin, pathname, cookie, seconds, connections, target.expectBody);
      // Warm-up (JIT, pools, caches) for both, untimed.
      await measure(target.baseline, warmupSeconds);
      await measure(target.tenancy, warmupSeconds);
      const baseRounds: Round[] = [];
      const tenancyRounds: Round[] = [];
      const ratios: number[] = [];
      for (let pass = 0; pass < passes; pass++) {
        const a1 = await measure(target.baseline);
        const b1 = await measure(target.tenancy);
        const b2 = await measure(target.tenancy);
        const a2 = await measure(target.baseline);
        baseRounds.push(a1, a2);
        tenancyRounds.push(b1, b2);
        ratios.push(b1.reqPerSec / a1.reqPerSec, b2.reqPerSec / a2.reqPerSec);
        log(
          `${target.route}: pass ${pass + 1}/${passes}: baseline ${fmt(a1.reqPerSec)} / ${fmt(a2.reqPerSec)} req/s, tenancy ${fmt(b1.reqPerSec)} / ${fmt(b2.reqPerSec)} req/s`,
        );
      }
      const baseMean = mean(baseRounds.map((r) => r.reqPerSec));
      rows.push(
        summarize(
          target,
          'baseline',
          baseRounds,
          baseRounds.map((r) => r.reqPerSec / baseMean),
        ),
      );
      rows.push(summarize(target, 'tenancy', tenancyRounds, ratios));
    }
    for (const row of rows.filter((r) => r.failures > 0))
      log(`WARNING: ${row.path}: ${row.failures} failed requests (timeouts, errors or wrong answers), left out of req/s`);
    return { rows, settings: { connections, roundSeconds, passes, user: USER.email, tenant: 'acme (rls)' } };
  } finally {
    await server?.stop();
    await smtp?.close();
    await stack.stop();
  }
}

// ---- the section -------------------------------------------------------------------------------------

/** The bench section. */
export async function web(env: BenchEnv): Promise<SectionResult> {
  const started = performance.now();
  const result = await runWebBench({ quick: env.config.mode === 'quick', log: (line) => env.log(`web: ${line}`) });
  const { settings } = result;
  const table: Table = {
    id: 'http',
    title: `HTTP, ${settings.connections} connections, ${settings.roundSeconds} s rounds`,
    columns: ['route', 'variant', 'req/s', 'p99 ms', 'ratio (spread)', 'requests', 'failed'],
    rows: result.rows.map((row) => [
      row.route,
      row.variant === 'tenancy' ? `tenancy (${row.path})` : `baseline, no tenancy layer (${row.path})`,
      fmt(row.reqPerSec),
      fmtMs(row.p99Ms),
      row.variant === 'tenancy' ? fmtRatio(row.ratio, row.ratioMin, row.ratioMax) : '1.00x',
      fmt(row.requests),
      fmt(row.failures),
    ]),
    notes: [text('ratio')],
  };
  return {
    name: 'web',
    title: '7. Web app over HTTP',
    machine: env.machine,
    intro: [text('server', { user: settings.user, tenant: settings.tenant }), text('variants')],
    tables: [table],
    notes: [`Measured in ${((performance.now() - started) / 1000).toFixed(0)} s including the build and server start.`],
    data: result,
  };
}

// `npx tsx bench/src/sections/web.ts [--quick] [--no-build]`
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runWebBench({ quick: process.argv.includes('--quick'), build: !process.argv.includes('--no-build') }).then(
    (result) => {
      console.table(
        result.rows.map((row) => ({
          route: row.route,
          variant: row.variant,
          'req/s': Math.round(row.reqPerSec),
          'p99 ms': row.p99Ms,
          ratio: row.variant === 'tenancy' ? fmtRatio(row.ratio, row.ratioMin, row.ratioMax) : '1.00x',
          requests: row.requests,
          failed: row.failures,
        })),
      );
    },
    (error: unknown) => {
      console.error('[web] failed:', error);
      process.exitCode = 1;
    },
  );
}
