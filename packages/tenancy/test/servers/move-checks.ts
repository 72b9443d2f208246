// What the move tests check on each side of a move: what a server holds of a tenant, and a writer's acknowledged rows.
import type pg from 'pg';
import type { Tenancy } from '../../src/index';

/** What a server holds of a tenant: its schema, its database, its role, and (where there are shared tables) its rows. */
export interface Held {
  schema: boolean;
  database: boolean;
  role: boolean;
  sharedRows: number;
}

/** What `server` (a pool to the deployment's database there) holds of the tenant named `name` with id `id`. */
export async function heldOn(server: pg.Pool, name: string, id: string): Promise<Held> {
  const { rows } = await server.query<{ schema: boolean; database: boolean; role: boolean; shared: boolean }>(
    `select exists(select 1 from pg_namespace where nspname = $1) as schema,
            exists(select 1 from pg_database where datname = $1) as database,
            exists(select 1 from pg_roles where rolname = $1) as role,
            to_regclass('public.notes') is not null as shared`,
    [name],
  );
  const { schema, database, role, shared } = rows[0]!;
  const sharedRows = shared ? (await server.query<{ n: number }>('select count(*)::int as n from public.notes where tenant_id = $1', [id])).rows[0]!.n : 0;
  return { schema, database, role, sharedRows };
}

export const NOTHING: Held = { schema: false, database: false, role: false, sharedRows: 0 };

/**
 * A writer adding one numbered row (`w<n>`) at a time through `tenancy` while `during` runs, recording those
 * acknowledged. Writes that fail are counted, not recorded: a write is only owed when it was acknowledged.
 */
export async function whileWriting<T>(
  tenancy: Tenancy,
  slug: string,
  during: () => Promise<T>,
): Promise<{ result: T; acknowledged: number[]; failed: number }> {
  let running = true;
  const acknowledged: number[] = [];
  let failed = 0;
  const writer = (async () => {
    for (let n = 1; running; n++) {
      try {
        await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ($1)`, [`w${n}`]), { role: 'admin' });
        acknowledged.push(n);
      } catch {
        failed++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })();
  try {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const result = await during();
    await new Promise((resolve) => setTimeout(resolve, 150));
    return { result, acknowledged, failed };
  } finally {
    running = false;
    await writer;
  }
}

/** The `w<n>` rows the tenant holds, sorted by n. */
export async function written(tenancy: Tenancy, slug: string): Promise<number[]> {
  const { rows } = await tenancy.queryAs<{ body: string }>(slug, `select body from notes where body like 'w%'`);
  return rows.map((r) => Number(r.body.slice(1))).sort((a, b) => a - b);
}
