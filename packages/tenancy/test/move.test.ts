import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTenancy, STRATEGIES, type StrategyName, type Tenancy } from '../src/index';
import { baseConfig, useTenancy } from './support';

const suite = useTenancy('move');

const PAIRS = STRATEGIES.flatMap((from) => STRATEGIES.filter((to) => to !== from).map((to) => [from, to] as const));

/** A tenancy over the same deployment that sees each lifecycle step first. */
function watching(beforeStep: (name: string) => void | Promise<void>): Tenancy {
  const { db, tenancy } = suite();
  return createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, secrets: tenancy.config.secrets, beforeStep });
}

type Note = { id: string; body: string; created_by: string | null };

async function notes(tenancy: Tenancy, slug: string): Promise<Note[]> {
  return (await tenancy.queryAs<Note>(slug, 'select id, body, created_by from notes order by id')).rows;
}

async function seeded(tenancy: Tenancy, slug: string, strategy: StrategyName, count = 200): Promise<Note[]> {
  await tenancy.createTenant({ slug, name: slug, strategy });
  await tenancy.withTenant(
    slug,
    (tx) => tx.query(`insert into notes (body) select 'note ' || g || E' \\t ''q'' \\\\ é' from generate_series(1, $1::int) g`, [count]),
    { role: 'admin', userId: '00000000-0000-4000-8000-000000000002' },
  );
  return notes(tenancy, slug);
}

/** What is left of a tenant's placements: its schema, its database, its role (and whether it logs in), its rows in the shared tables. */
async function placements(tenancy: Tenancy, slug: string, id: string) {
  const name = `${tenancy.config.namePrefix}${slug}`;
  const { rows } = await suite()
    .admin.query(
      `select exists(select 1 from pg_namespace where nspname = $1) as schema,
            exists(select 1 from pg_database where datname = $1) as database,
            (select case when rolcanlogin then 'login' else 'group' end from pg_roles where rolname = $1) as role,
            (select count(*)::int from public.notes where tenant_id = $2) as shared_rows,
            pg_has_role('app_user', $1, 'MEMBER') as app_member`,
      [name, id],
    )
    .catch(async () =>
      suite().admin.query(
        `select exists(select 1 from pg_namespace where nspname = $1) as schema, exists(select 1 from pg_database where datname = $1) as database,
              null as role, (select count(*)::int from public.notes where tenant_id = $2) as shared_rows, false as app_member`,
        [name, id],
      ),
    );
  return rows[0];
}

const EXPECTED = {
  rls: { schema: false, database: false, role: null, app_member: false },
  schema: { schema: true, database: false, role: 'group', shared_rows: 0, app_member: true },
  database: { schema: false, database: true, role: 'login', shared_rows: 0, app_member: false },
} as const;

describe('moveTenant', () => {
  it.each(PAIRS)(
    '%s -> %s: every row arrives, the old placement is gone, and a writer and a reader running throughout lose nothing and see no mix',
    async (from, to) => {
      const { tenancy } = suite();
      const slug = `mv_${from.slice(0, 3)}_${to.slice(0, 3)}`;
      const before = await seeded(tenancy, slug, from);
      const { id } = await tenancy.getTenant(slug);

      // The writer adds one numbered row at a time and records those acknowledged; the reader checks that
      // every read holds the rows acknowledged before it began, each once, and nothing from elsewhere.
      // Both run in another instance, as another process would: with a catalog cache of their own.
      const other = watching(() => undefined);
      let running = true;
      const acknowledged: number[] = [];
      const problems: string[] = [];
      const writer = (async () => {
        for (let n = 1; running; n++) {
          await other.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ($1)`, [`w${n}`]), { role: 'admin' });
          acknowledged.push(n);
        }
      })();
      let reads = 0;
      const reader = (async () => {
        while (running) {
          const known = acknowledged.length;
          const { rows } = await other.queryAs<{ body: string; tenant_id: string }>(slug, `select body, tenant_id from notes where body like 'w%'`);
          const seen = rows.map((r) => Number(r.body.slice(1)));
          if (new Set(seen).size !== seen.length) problems.push(`a read saw a row twice`);
          if (rows.some((r) => r.tenant_id !== id)) problems.push('a read saw another tenant');
          for (let n = 1; n <= known; n++) if (!seen.includes(n)) problems.push(`a read missed acknowledged write w${n}`);
          reads++;
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 150));
      const steps: string[] = [];
      const summary = await tenancy.moveTenant(slug, to, { onProgress: (p) => steps.push(p.step) });
      await new Promise((resolve) => setTimeout(resolve, 150));
      running = false;
      await Promise.all([writer, reader]).finally(() => other.close());

      expect(problems).toEqual([]);
      expect(reads).toBeGreaterThan(2);
      expect(summary).toMatchObject({ from, to, tenant: { id, slug, strategy: to, status: 'active' } });
      expect(summary.pauseMs).toBeGreaterThanOrEqual(tenancy.config.catalogCacheMs);
      // The writer wrote during the copy: those rows were carried over under the pause, row by row.
      expect(summary).toMatchObject({ caughtUp: true, recopied: false });
      expect(steps).toEqual(['copy', 'copy', 'pause', 'catch-up', 'switch', 'cleanup', 'done']);
      const after = await notes(tenancy, slug);
      const written = after.filter((r) => r.body.startsWith('w')).map((r) => Number(r.body.slice(1)));
      expect(written.sort((a, b) => a - b)).toEqual(acknowledged);
      expect(after.filter((r) => !r.body.startsWith('w'))).toEqual(before);
      expect(await placements(tenancy, slug, id)).toMatchObject(EXPECTED[to]);
    },
  );

  it.each(PAIRS)(
    '%s -> %s: a failure at any step leaves the tenant serving from where it was, and the same call then finishes the move',
    { timeout: 120_000 },
    async (from, to) => {
      const { tenancy } = suite();
      {
        for (const step of tenancy.lifecycleSteps(to).move) {
          const slug = `mvc_${from.slice(0, 2)}_${to.slice(0, 2)}_${step.replace(/\W/g, '_')}`.slice(0, 48);
          const rows = await seeded(tenancy, slug, from, 20);
          let armed = true;
          const crashing = watching((name) => {
            if (armed && name === step) {
              armed = false;
              throw new Error(`injected failure before ${step}`);
            }
          });
          try {
            await expect(crashing.moveTenant(slug, to)).rejects.toThrow(/injected failure/);
          } finally {
            await crashing.close();
          }
          const half = await tenancy.getTenant(slug);
          if (step === 'move.cleanup') {
            // The switch had happened: the tenant is in its new placement; the rerun removes the old one.
            expect(half).toMatchObject({ strategy: to, status: 'active' });
            await tenancy.moveTenant(slug, to);
          } else {
            expect(half).toMatchObject({ strategy: from, status: 'active' });
            expect(await notes(tenancy, slug)).toEqual(rows);
            await tenancy.moveTenant(slug, to);
          }
          expect(await tenancy.getTenant(slug)).toMatchObject({ strategy: to, status: 'active' });
          expect(await notes(tenancy, slug)).toEqual(rows);
          expect(await placements(tenancy, slug, half.id)).toMatchObject(EXPECTED[to]);
          await tenancy.deleteTenant(slug, { archive: false });
        }
      }
    },
  );

  it.each([
    ['rls', 'database'],
    ['database', 'schema'],
    ['schema', 'rls'],
  ] as const)('%s -> %s: inserts, updates and deletes made during the copy are carried over row by row', async (from, to) => {
    const { tenancy } = suite();
    const slug = `mvd_${from.slice(0, 3)}_${to.slice(0, 3)}`;
    await seeded(tenancy, slug, from, 30);
    const mover = watching(async (name) => {
      if (name !== 'move.pause') return;
      // Between the copy and the pause: what a busy tenant does while its copy is made.
      await tenancy.withTenant(
        slug,
        async (tx) => {
          await tx.query(`update notes set body = body || ' (edited)' where body like 'note 1%'`);
          await tx.query(`delete from notes where body like 'note 2%'`);
          await tx.query(`insert into notes (body) values ('late one'), ('late two')`);
        },
        { role: 'admin' },
      );
    });
    try {
      const summary = await mover.moveTenant(slug, to);
      const expected = await tenancy.queryAs<Note>(slug, 'select id, body, created_by from notes order by id');
      expect(summary).toMatchObject({ caughtUp: true, recopied: false, rows: expected.rows.length });
      expect(expected.rows.filter((r) => r.body.endsWith('(edited)'))).toHaveLength(11);
      expect(expected.rows.some((r) => r.body.startsWith('note 2'))).toBe(false);
      expect(expected.rows.filter((r) => r.body.startsWith('late'))).toHaveLength(2);
    } finally {
      await mover.close();
    }
  });

  it('requests waiting out a pause share one lookup per poll: 40 waiting callers do not make 40 times the lookups', async () => {
    const { tenancy, db } = suite();
    await seeded(tenancy, 'mv_waiters', 'schema', 5);
    let lookups = 0;
    class CountingClient extends pg.Client {
      override query(...args: unknown[]): never {
        const [first] = args;
        const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
        if (text?.includes('resolve_tenant')) lookups++;
        return (super.query as (...a: unknown[]) => never)(...args);
      }
    }
    const callers = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, secrets: tenancy.config.secrets, clientClass: CountingClient });
    let paused!: () => void;
    const inPause = new Promise<void>((resolve) => (paused = resolve));
    const mover = watching(async (name) => {
      if (name !== 'move.catch-up') return;
      paused();
      await new Promise((resolve) => setTimeout(resolve, 600));
    });
    try {
      const moving = mover.moveTenant('mv_waiters', 'rls');
      await inPause;
      lookups = 0;
      const waiting = Array.from({ length: 40 }, () => callers.queryAs<{ n: number }>('mv_waiters', 'select count(*)::int as n from notes'));
      await moving;
      const results = await Promise.all(waiting);
      expect(results.map((r) => r.rows[0]!.n)).toEqual(Array(40).fill(5));
      // About one lookup per 25 ms poll over the rest of the pause; one per caller per poll would be over 600.
      expect(lookups).toBeLessThan(80);
    } finally {
      await Promise.all([callers.close(), mover.close()]);
    }
  });

  it('moveTenant(key, <its own strategy>) removes what an abandoned move left behind', async () => {
    const { tenancy } = suite();
    for (const [from, to] of PAIRS) {
      const slug = `mvu_${from.slice(0, 3)}_${to.slice(0, 3)}`;
      const rows = await seeded(tenancy, slug, from, 5);
      const { id } = await tenancy.getTenant(slug);
      let armed = true;
      const crashing = watching((name) => {
        if (armed && name === 'move.pause') {
          armed = false;
          throw new Error('abandoned');
        }
      });
      try {
        await expect(crashing.moveTenant(slug, to)).rejects.toThrow('abandoned');
      } finally {
        await crashing.close();
      }
      await tenancy.moveTenant(slug, from);
      expect(await placements(tenancy, slug, id)).toMatchObject(EXPECTED[from]);
      expect(await notes(tenancy, slug)).toEqual(rows);
    }
  });
});
