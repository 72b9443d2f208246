import { describe, expect, it } from 'vitest';
import type { StrategyName } from '../../src/index';
import { heldOn, NOTHING, whileWriting, written, type Held } from './move-checks';
import { anotherProcess, useServers } from './support';

const suite = useServers({ label: 'move_servers' });

type Place = { strategy: StrategyName; server: string };

/** What the target server holds of a tenant placed with `strategy` (the old server holds nothing). */
const HELD: Record<StrategyName, (rows: number) => Held> = {
  rls: (rows) => ({ ...NOTHING, sharedRows: rows }),
  schema: () => ({ ...NOTHING, schema: true, role: true }),
  database: () => ({ ...NOTHING, database: true, role: true }),
};

const CASES: [string, Place, Place][] = [
  ['schema@primary -> schema@b', { strategy: 'schema', server: 'primary' }, { strategy: 'schema', server: 'b' }],
  ['database@primary -> database@b', { strategy: 'database', server: 'primary' }, { strategy: 'database', server: 'b' }],
  ['rls -> database@b', { strategy: 'rls', server: 'primary' }, { strategy: 'database', server: 'b' }],
  ['database@b -> rls', { strategy: 'database', server: 'b' }, { strategy: 'rls', server: 'primary' }],
  ['schema@b -> database@b', { strategy: 'schema', server: 'b' }, { strategy: 'database', server: 'b' }],
];

describe('moveTenant across servers', () => {
  it.each(CASES)('%s: a writer running throughout loses nothing and doubles nothing; the old server keeps nothing', async (_, from, to) => {
    const s = suite();
    const { tenancy } = s;
    const slug = `xs_${from.strategy.slice(0, 3)}_${from.server.slice(0, 1)}_${to.strategy.slice(0, 3)}_${to.server.slice(0, 1)}`;
    await tenancy.createTenant({ slug, name: slug, ...from });
    await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) select 'seed ' || g from generate_series(1, 100) g`), { role: 'admin' });
    const { id } = await tenancy.getTenant(slug);
    const secret = await tenancy.config.secrets!.get(slug);

    // The writer runs in another instance, as another process would: with catalog and pools of its own.
    const other = anotherProcess(s);
    const steps: string[] = [];
    const {
      result: summary,
      acknowledged,
      failed,
    } = await whileWriting(other, slug, () =>
      tenancy.moveTenant(slug, { strategy: to.strategy, server: to.server }, { onProgress: (p) => steps.push(p.step) }),
    ).finally(() => other.close());

    expect(failed).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(2);
    expect(summary).toMatchObject({ from: from.strategy, to: to.strategy, fromServer: from.server, toServer: to.server, caughtUp: true });
    expect(steps).toEqual(expect.arrayContaining(['copy', 'pause', 'switch', 'cleanup', 'done']));
    expect(await tenancy.getTenant(slug)).toMatchObject({ id, strategy: to.strategy, server: to.server, status: 'active' });
    expect(await written(tenancy, slug)).toEqual(acknowledged);
    const { rows } = await tenancy.queryAs<{ n: number }>(slug, `select count(*)::int as n from notes where body like 'seed %'`);
    expect(rows[0]!.n).toBe(100);

    const pools = { primary: s.admin, b: s.server('b').admin };
    const name = `${tenancy.config.namePrefix}${slug}`;
    const total = 100 + acknowledged.length;
    expect(await heldOn(pools[to.server as 'primary' | 'b'], name, id)).toEqual(HELD[to.strategy](total));
    if (from.server !== to.server) expect(await heldOn(pools[from.server as 'primary' | 'b'], name, id)).toEqual(NOTHING);
    else expect((await heldOn(pools[from.server as 'primary' | 'b'], name, id))[from.strategy === 'schema' ? 'schema' : 'database']).toBe(false);
    // A database tenant's password moves with it: the source's cleanup must not take it from the new placement.
    if (to.strategy === 'database') {
      expect(await tenancy.config.secrets!.get(slug)).toBeTruthy();
      if (from.strategy === 'database') expect(await tenancy.config.secrets!.get(slug)).toBe(secret);
    } else {
      expect(await tenancy.config.secrets!.get(slug)).toBeFalsy();
    }
    // A fresh instance (no pools, no cache) serves it too.
    const fresh = anotherProcess(s);
    try {
      expect((await fresh.queryAs<{ n: number }>(slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(total);
    } finally {
      await fresh.close();
    }
    expect((await tenancy.audit()).findings).toEqual([]);
  });

  it('a database tenant moved to b and back: an instance that served it all along serves it still, from pools on its server only', async () => {
    const s = suite();
    const { tenancy } = s;
    const slug = 'xs_pools';
    await tenancy.createTenant({ slug, name: slug, strategy: 'database', server: 'primary' });
    const { id } = await tenancy.getTenant(slug);
    const serving = anotherProcess(s);
    const count = async () => (await serving.queryAs<{ n: number }>(slug, 'select count(*)::int as n from notes')).rows[0]!.n;
    /** The servers where `serving` holds a pool of the tenant's database, once pools closed in passing have gone. */
    const poolsOn = async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (await serving.listServers()).filter((server) => server.pools.pools.some((p) => p.key === id)).map((server) => server.name);
    };
    try {
      await serving.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('on the primary')`), { role: 'admin' });
      expect(await poolsOn()).toEqual(['primary']);
      for (const server of ['b', 'primary', 'b', 'primary']) {
        await tenancy.moveTenant(slug, { server });
        // Past serving's catalog cache: its next request sees the new placement.
        await new Promise((resolve) => setTimeout(resolve, tenancy.config.catalogCacheMs + 50));
        await serving.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ($1)`, [`on ${server}`]), { role: 'admin' });
        expect(await poolsOn(), server).toEqual([server]);
      }
      expect(await count()).toBe(5);
      expect(await tenancy.getTenant(slug)).toMatchObject({ server: 'primary', strategy: 'database' });
    } finally {
      await serving.close();
    }
  });
});
