import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

// Everything a request of the console can change, as text to compare: a refused request must leave all of it as it
// was. The tenant catalog (every table of the tenancy schema), the plans, the accounts and memberships, the support
// requests of every placement in the main database, the roles, schemas and databases of the cluster, and the files
// of ARCHIVE_DIR (uploads/ included).

export interface State {
  catalog: string;
  /** tenancy.catalog_version: every change of the catalog counts it up. */
  catalogVersion: string;
  plans: string;
  accounts: string;
  support: string;
  roles: string;
  schemas: string;
  databases: string;
  archives: string[];
}

/** What a provision-then-delete leaves different on purpose: the admin account stays, the archive is written. */
export const LEFT_BEHIND_BY_A_LIFECYCLE: (keyof State)[] = ['accounts', 'archives', 'catalogVersion'];

let client: pg.Client | undefined;

async function db(): Promise<pg.Client> {
  if (client) return client;
  const url = process.env.E2E_ADMIN_DATABASE_URL;
  if (!url) throw new Error('E2E_ADMIN_DATABASE_URL is not set: run through `npm run test:e2e`.');
  const next = new pg.Client({ connectionString: url });
  await next.connect();
  client = next;
  return next;
}

export async function closeState(): Promise<void> {
  await client?.end();
  client = undefined;
}

export async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  return (await (await db()).query<R>(text, values)).rows;
}

async function tableText(qualified: string): Promise<string> {
  const rows = await query<{ t: string | null }>(`SELECT string_agg(x::text, E'\\n' ORDER BY x::text) AS t FROM ${qualified} x`);
  return `${qualified}:\n${rows[0]?.t ?? ''}`;
}

async function tablesText(filter: string): Promise<string> {
  const tables = await query<{ q: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS q FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND ${filter} ORDER BY 1`,
  );
  return (await Promise.all(tables.map((t) => tableText(t.q)))).join('\n');
}

async function listing(dir: string, prefix = ''): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const name of names.sort()) {
    const info = await stat(path.join(dir, name)).catch(() => null);
    if (info?.isDirectory()) out.push(...(await listing(path.join(dir, name), `${prefix}${name}/`)));
    else if (info) out.push(`${prefix}${name} ${info.size}`);
  }
  return out;
}

export function archiveDir(): string {
  const dir = process.env.ARCHIVE_DIR;
  if (!dir) throw new Error('ARCHIVE_DIR is not set: run through `npm run test:e2e`.');
  return dir;
}

export async function snapshot(): Promise<State> {
  const names = async (sql: string) => (await query<{ n: string }>(sql)).map((r) => r.n).join(',');
  return {
    catalog: await tablesText(`table_schema = 'tenancy' AND table_name <> 'catalog_version'`),
    catalogVersion: await tableText('tenancy.catalog_version'),
    plans: await tableText('public.tenant_plans'),
    accounts: `${await tableText('public.users')}\n${await tableText('public.memberships')}`,
    support: await tablesText(`table_name = 'support_access'`),
    roles: await names('SELECT rolname AS n FROM pg_roles ORDER BY 1'),
    schemas: await names('SELECT nspname AS n FROM pg_namespace ORDER BY 1'),
    databases: await names('SELECT datname AS n FROM pg_database ORDER BY 1'),
    archives: await listing(archiveDir()),
  };
}

/** The parts of `after` that differ from `before` (empty when nothing changed), leaving out `except`. */
export function changes(before: State, after: State, except: (keyof State)[] = []): string[] {
  return (Object.keys(before) as (keyof State)[])
    .filter((key) => !except.includes(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => `${key} changed:\n--- before\n${String(before[key]).slice(0, 2000)}\n--- after\n${String(after[key]).slice(0, 2000)}`);
}
