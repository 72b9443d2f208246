import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { ServerNotOpenError, StrategyNotSupportedError, type StrategyName, type Tenant } from '../../src/index';
import { whileWriting, written } from './move-checks';
import { anotherProcess, onServer, recordingPolicy, refusedAndNothingMade, useServers, type ServersSuite } from './support';

const V2 = fileURLToPath(new URL('../fixtures/migrations-v2', import.meta.url));

// b holds a shard of the shared tables; c does not (schema and database tenants only).
const suite = useServers({ label: 'srv_shard', extra: 2, shards: ['b'] });

/** The rows of a tenant in the shared `notes` table of each server (null: it has none), counted as the superuser sees them. */
async function sharedRowsBy(s: ServersSuite, tenantId: string): Promise<Record<string, number | null>> {
  const count = async (query: <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<R[]>) => {
    const found = await query<{ shared: string | null }>("select to_regclass('public.notes')::text as shared");
    if (!found[0]?.shared) return null;
    return (await query<{ n: number }>('select count(*)::int as n from public.notes where tenant_id = $1', [tenantId]))[0]!.n;
  };
  const result: Record<string, number | null> = { [s.primary]: await count(async (sql, params) => (await s.admin.query(sql, params)).rows) };
  for (const server of s.servers) result[server.name] = await count((sql, params) => onServer(server, sql, params));
  return result;
}

/** The SQLSTATE of a statement run inside `slug`'s transaction, or 'ok'. */
async function outcome(slug: string, sql: string): Promise<string> {
  return suite()
    .tenancy.withTenant(slug, (tx) => tx.query(sql), { role: 'admin' })
    .then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? String(error),
    );
}

const bodies = (rows: { body: string }[]) => rows.map((r) => r.body).sort();

describe('shards of shared tables', () => {
  it('setup() makes and migrates the shared tables on the primary and on the shard b, not on c; listServers says which', async () => {
    const s = suite();
    const probe = "select to_regclass('public.notes')::text as shared, to_regclass('tenancy.tenants')::text as catalog";
    expect((await s.admin.query(probe)).rows).toEqual([{ shared: 'notes', catalog: 'tenancy.tenants' }]);
    // The shard has the shared tables and no catalog: the catalog and the control plane stay on the primary.
    expect(await onServer(s.servers[0]!, probe)).toEqual([{ shared: 'notes', catalog: null }]);
    expect(await onServer(s.servers[1]!, probe)).toEqual([{ shared: null, catalog: null }]);
    const forced = await onServer(s.servers[0]!, "select relrowsecurity and relforcerowsecurity as forced from pg_class where oid = 'public.notes'::regclass");
    expect(forced).toEqual([{ forced: true }]);
    const info = await s.tenancy.listServers();
    expect(info.map((i) => [i.name, i.sharedTables])).toEqual([
      ['primary', true],
      ['b', true],
      ['c', false],
    ]);
  });

  it('rls tenants are placed by the policy among the servers with shared tables, or on the one named; c is refused and nothing is made', async () => {
    const s = suite();
    const seen: string[][] = [];
    const custom = anotherProcess(s, { placement: recordingPolicy(seen) });
    try {
      expect((await custom.createTenant({ slug: 'pl_policy', name: 'Policy', strategy: 'rls' })).server).toBe('b');
      expect((await custom.createTenant({ slug: 'pl_policy_schema', name: 'Policy', strategy: 'schema' })).server).toBe('c');
      expect(seen).toEqual([
        ['primary', 'b'],
        ['primary', 'b', 'c'],
      ]);
    } finally {
      await custom.close();
    }
    // fewest-tenants spreads them over the primary and b; c, with fewer tenants than either at times, is never a candidate.
    const spread: string[] = [];
    for (const n of [1, 2, 3, 4]) spread.push((await s.tenancy.createTenant({ slug: `pl_spread_${n}`, name: 'Spread', strategy: 'rls' })).server);
    expect(new Set(spread)).toEqual(new Set(['primary', 'b']));
    expect(spread).not.toContain('c');
    expect((await s.tenancy.createTenant({ slug: 'pl_named', name: 'Named', strategy: 'rls', server: 'b' })).server).toBe('b');
    await refusedAndNothingMade(s, () => s.tenancy.createTenant({ slug: 'pl_c', name: 'C', strategy: 'rls', server: 'c' }), StrategyNotSupportedError, 'pl_c');
    // A drained shard takes no rls tenant, named or chosen.
    await s.tenancy.setServerState('b', 'drained');
    try {
      await refusedAndNothingMade(
        s,
        () => s.tenancy.createTenant({ slug: 'pl_drained', name: 'D', strategy: 'rls', server: 'b' }),
        ServerNotOpenError,
        'pl_drained',
      );
      expect((await s.tenancy.createTenant({ slug: 'pl_open', name: 'O', strategy: 'rls' })).server).toBe('primary');
    } finally {
      await s.tenancy.setServerState('b', 'open');
    }
  });

  describe('tenants on the shard', () => {
    const tenants = new Map<string, Tenant>();
    beforeAll(async () => {
      const { tenancy } = suite();
      for (const [slug, server] of [
        ['sh_a', 'b'],
        ['sh_b', 'b'],
        ['sh_canary', 'primary'],
      ] as const) {
        tenants.set(slug, await tenancy.createTenant({ slug, name: slug, strategy: 'rls', server }));
        await tenancy.withTenant(slug, (tx) => tx.query('insert into notes (body) values ($1), ($2)', [`${slug} 1`, `${slug} 2`]), { role: 'admin' });
      }
    });

    it("each sees only its own rows, and those rows are on its server's shared tables alone", async () => {
      const s = suite();
      for (const [slug, tenant] of tenants) {
        const { rows } = await s.tenancy.queryAs<{ body: string }>(slug, 'select body from notes');
        expect(bodies(rows), slug).toEqual([`${slug} 1`, `${slug} 2`]);
        const port = await s.tenancy.queryAs<{ port: number }>(slug, "select current_setting('port')::int as port");
        expect(String(port.rows[0]!.port), slug).toBe(String(tenant.server === 'b' ? s.servers[0]!.cluster.port : new URL(s.db.url).port));
        expect(await sharedRowsBy(s, tenant.id), slug).toEqual({ primary: tenant.server === 'primary' ? 2 : 0, b: tenant.server === 'b' ? 2 : 0, c: null });
      }
    });

    it("hostile SQL in A's transaction on the shard reaches neither B on the same shard nor the canary on the primary", async () => {
      const s = suite();
      const a = tenants.get('sh_a')!;
      const b = tenants.get('sh_b')!;
      const canary = tenants.get('sh_canary')!;
      const seen = await s.tenancy.withTenant(
        'sh_a',
        async (tx) => {
          const byId = await tx.query<{ n: number }>('select count(*)::int as n from notes where tenant_id = any($1)', [[b.id, canary.id]]);
          const all = await tx.query<{ body: string }>('select body from notes');
          // Writing another tenant's id is refused by the policy's check, not stored.
          const write = await tx.query('savepoint w').then(() =>
            tx.query('insert into notes (tenant_id, body) values ($1, $2)', [b.id, 'planted']).then(
              () => 'ok',
              (e: { code?: string }) => e.code,
            ),
          );
          await tx.query('rollback to savepoint w').catch(() => undefined);
          return { byId: byId.rows[0]!.n, all: bodies(all.rows), write };
        },
        { role: 'admin' },
      );
      expect(seen).toEqual({ byId: 0, all: ['sh_a 1', 'sh_a 2'], write: '42501' });
      // The shard has no catalog to read (the catalog is the primary's) and its app role cannot lift the policy.
      expect(await outcome('sh_a', 'select * from tenancy.tenants')).toBe('42P01');
      expect(await outcome('sh_a', 'alter table notes no force row level security')).toBe('42501');
      expect(await sharedRowsBy(s, b.id)).toEqual({ primary: 0, b: 2, c: null });
      expect(await sharedRowsBy(s, a.id)).toEqual({ primary: 0, b: 2, c: null });
    });

    it("the audit checks the shard's shared tables: a table there that no longer forces RLS is a finding of server b", async () => {
      const s = suite();
      expect((await s.tenancy.audit()).findings).toEqual([]);
      await onServer(s.servers[0]!, 'alter table public.notes no force row level security');
      try {
        const findings = (await s.tenancy.audit()).findings.map((f) => ({ code: f.code, server: f.server ?? null }));
        expect(findings).toEqual([{ code: 'rls-not-forced', server: 'b' }]);
      } finally {
        await onServer(s.servers[0]!, 'alter table public.notes force row level security');
      }
    });

    it('deleting a tenant on the shard archives and removes its rows there, nothing of the others; the archive restores it there', async () => {
      const s = suite();
      const doomed = await s.tenancy.createTenant({ slug: 'sh_doomed', name: 'Doomed', strategy: 'rls', server: 'b' });
      await s.tenancy.withTenant('sh_doomed', (tx) => tx.query("insert into notes (body) values ('x'), ('y'), ('z')"), { role: 'admin' });
      expect(await sharedRowsBy(s, doomed.id)).toEqual({ primary: 0, b: 3, c: null });
      const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'shard-archive-')), 'doomed.tar.gz');
      await s.tenancy.deleteTenant('sh_doomed', { archive: file });
      expect(await sharedRowsBy(s, doomed.id)).toEqual({ primary: 0, b: 0, c: null });
      expect(await sharedRowsBy(s, tenants.get('sh_b')!.id)).toEqual({ primary: 0, b: 2, c: null });
      // Restored from its archive onto the shard it names, under its old id.
      const restored = await s.tenancy.importTenant(file, { server: 'b' });
      expect(restored).toMatchObject({ id: doomed.id, strategy: 'rls', server: 'b', status: 'active' });
      expect(await sharedRowsBy(s, doomed.id)).toEqual({ primary: 0, b: 3, c: null });
      await s.tenancy.deleteTenant('sh_doomed', { archive: false });
      await rm(path.dirname(file), { recursive: true, force: true });
    });

    it('moveTenant(key, { server: <where it is> }) removes the rows an abandoned move left on another shard', async () => {
      const s = suite();
      const canary = tenants.get('sh_canary')!;
      // What a move to b killed after its copy leaves: the canary's rows in b's shared tables, the catalog still on the primary.
      await onServer(s.servers[0]!, "insert into public.notes (tenant_id, body) values ($1, 'left over'), ($1, 'left over')", [canary.id]);
      expect(await sharedRowsBy(s, canary.id)).toEqual({ primary: 2, b: 2, c: null });
      await s.tenancy.moveTenant('sh_canary', { server: 'primary' });
      expect(await sharedRowsBy(s, canary.id)).toEqual({ primary: 2, b: 0, c: null });
      expect(bodies((await s.tenancy.queryAs<{ body: string }>('sh_canary', 'select body from notes')).rows)).toEqual(['sh_canary 1', 'sh_canary 2']);
    });
  });

  type Place = { strategy: StrategyName; server: string };
  const MOVES: [string, Place, { strategy?: StrategyName; server?: string }, Place][] = [
    ['rls@primary -> rls@b', { strategy: 'rls', server: 'primary' }, { server: 'b' }, { strategy: 'rls', server: 'b' }],
    ['rls@b -> rls@primary', { strategy: 'rls', server: 'b' }, { server: 'primary' }, { strategy: 'rls', server: 'primary' }],
    ['rls@b -> schema@c', { strategy: 'rls', server: 'b' }, { strategy: 'schema', server: 'c' }, { strategy: 'schema', server: 'c' }],
    // Left out, the server stays when it holds shared tables; from c, which does not, an rls tenant goes to the primary.
    ['database@b -> rls (stays on b)', { strategy: 'database', server: 'b' }, { strategy: 'rls' }, { strategy: 'rls', server: 'b' }],
    ['schema@c -> rls (to the primary)', { strategy: 'schema', server: 'c' }, { strategy: 'rls' }, { strategy: 'rls', server: 'primary' }],
  ];

  it.each(MOVES)('moves %s online: a writer throughout loses nothing, doubles nothing, and the old shard keeps no row', async (_, from, where, to) => {
    const s = suite();
    const slug = `mv_${from.strategy.slice(0, 3)}_${from.server.slice(0, 1)}_${to.strategy.slice(0, 3)}_${to.server.slice(0, 1)}`;
    const { id } = await s.tenancy.createTenant({ slug, name: slug, ...from });
    await s.tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) select 'seed ' || g from generate_series(1, 100) g`), { role: 'admin' });
    const other = anotherProcess(s);
    const { result: summary, acknowledged, failed } = await whileWriting(other, slug, () => s.tenancy.moveTenant(slug, where)).finally(() => other.close());
    expect(failed).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(2);
    expect(summary).toMatchObject({ from: from.strategy, to: to.strategy, fromServer: from.server, toServer: to.server });
    expect(await s.tenancy.getTenant(slug)).toMatchObject({ id, strategy: to.strategy, server: to.server, status: 'active' });
    expect(await written(s.tenancy, slug)).toEqual(acknowledged);
    const total = 100 + acknowledged.length;
    const shared = await sharedRowsBy(s, id);
    expect(shared).toEqual({
      primary: to.strategy === 'rls' && to.server === 'primary' ? total : 0,
      b: to.strategy === 'rls' && to.server === 'b' ? total : 0,
      c: null,
    });
    expect((await s.tenancy.audit()).findings).toEqual([]);
  });

  it('moveTenant to rls on c (no shared tables) is refused before anything is made; the tenant stays where it was', async () => {
    const s = suite();
    const { id } = await s.tenancy.createTenant({ slug: 'mv_refused', name: 'Refused', strategy: 'schema', server: 'b' });
    await s.tenancy.withTenant('mv_refused', (tx) => tx.query("insert into notes (body) values ('kept')"), { role: 'admin' });
    await expect(s.tenancy.moveTenant('mv_refused', { strategy: 'rls', server: 'c' })).rejects.toBeInstanceOf(StrategyNotSupportedError);
    expect(await s.tenancy.getTenant('mv_refused')).toMatchObject({ strategy: 'schema', server: 'b', status: 'active' });
    expect(bodies((await s.tenancy.queryAs<{ body: string }>('mv_refused', 'select body from notes')).rows)).toEqual(['kept']);
    expect(await sharedRowsBy(s, id)).toEqual({ primary: 0, b: 0, c: null });
  });

  // Last: the suite's other processes are at the first version, and would refuse to move tenants of the second.
  it("migrate() migrates the shard's shared tables and names them by server; the shard's rls tenants reach the new version", async () => {
    const s = suite();
    const v2 = anotherProcess(s, { migrationsFolder: V2 });
    try {
      const placements: string[] = [];
      const summary = await v2.migrate({ onProgress: (p) => placements.push(p.placement) });
      expect(summary.failed).toEqual([]);
      expect(placements.filter((p) => p.includes('shared:')).sort()).toEqual(['b:shared:public', 'shared:public']);
      const title =
        "select count(*)::int as n from information_schema.columns where table_schema = 'public' and table_name = 'notes' and column_name = 'title'";
      expect(await onServer(s.servers[0]!, title)).toEqual([{ n: 1 }]);
      for (const slug of ['sh_a', 'sh_b', 'sh_canary']) {
        expect((await v2.getTenant(slug)).schemaVersion, slug).toBe('0001_note_titles');
        const { rows } = await v2.withTenant(slug, (tx) => tx.query<{ title: string }>(`insert into notes (body) values ('v2') returning title`), {
          role: 'admin',
        });
        expect(rows, slug).toEqual([{ title: 'untitled' }]);
      }
    } finally {
      await v2.close();
    }
  });
});
