import { afterAll, describe, expect, it } from 'vitest';
import { ServerNotOpenError, StrategyNotSupportedError, TenancyConfigError, UnknownServerError, type PlacementCandidate, type Tenancy } from '../../src/index';
import { anotherProcess, onServer, recordingPolicy, refusedAndNothingMade, serversHolding, useServers } from './support';

const suite = useServers({ extra: 2, label: 'srv_place' });

describe('placement across servers', () => {
  const processes: Tenancy[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.close()));
  });

  it('fewest-tenants spreads schema and database tenants, ties to the primary first, then the order of servers', async () => {
    const s = suite();
    const placed: string[] = [];
    for (const [i, strategy] of (['schema', 'schema', 'database', 'database', 'schema', 'database'] as const).entries()) {
      const tenant = await s.tenancy.createTenant({ slug: `spread_${i}`, name: `Spread ${i}`, strategy });
      placed.push(tenant.server);
      // Physically there, and only there.
      expect(await serversHolding(s, tenant), tenant.slug).toEqual([tenant.server]);
    }
    expect(placed).toEqual(['primary', 'b', 'c', 'primary', 'b', 'c']);
    const counts = Object.fromEntries((await s.tenancy.listServers()).map((i) => [i.name, i.tenants]));
    expect(counts).toEqual({ primary: 2, b: 2, c: 2 });
  });

  it('an explicit server wins over the policy', async () => {
    const s = suite();
    const tenant = await s.tenancy.createTenant({ slug: 'named_c', name: 'Named', strategy: 'database', server: 'c' });
    expect(tenant.server).toBe('c');
    expect((await s.tenancy.getTenant('named_c')).server).toBe('c');
    expect(await serversHolding(s, tenant)).toEqual(['c']);
  });

  it('a policy function chooses among the open servers with their counts; a name it makes up is refused and makes nothing', async () => {
    const s = suite();
    const seen: PlacementCandidate[][] = [];
    let answer = 'c';
    const custom = anotherProcess(s, {
      placement: (candidates) => {
        seen.push([...candidates]);
        return answer;
      },
    });
    processes.push(custom);
    const tenant = await custom.createTenant({ slug: 'policy_c', name: 'Policy', strategy: 'schema' });
    expect(tenant.server).toBe('c');
    expect(await serversHolding(s, tenant)).toEqual(['c']);
    expect(seen).toEqual([
      [
        { name: 'primary', tenants: 2 },
        { name: 'b', tenants: 2 },
        { name: 'c', tenants: 3 },
      ],
    ]);

    answer = 'nowhere';
    await refusedAndNothingMade(s, () => custom.createTenant({ slug: 'policy_bad', name: 'Bad', strategy: 'database' }), TenancyConfigError, 'policy_bad');
    // rls tenants never ask the policy: they live in the primary's shared tables.
    const rls = await custom.createTenant({ slug: 'policy_rls', name: 'Rls', strategy: 'rls' });
    expect(rls.server).toBe('primary');
    expect(seen).toHaveLength(2);
  });

  it('least-bytes picks the server whose databases are smallest, not the one with the fewest tenants', async () => {
    const s = suite();
    // c has the most tenants (and three tenant databases); the primary and b get about 60 MB each of filler.
    const filler = 'CREATE TABLE filler AS SELECT g, repeat(md5(g::text), 12) AS pad FROM generate_series(1, 150000) g';
    await s.admin.query(filler);
    const b = s.servers.find((x) => x.name === 'b')!;
    await onServer(b, filler);
    try {
      const bytes = await s.tenancy.listServers();
      const smallest = [...bytes].sort((x, y) => x.bytes! - y.bytes!)[0]!;
      expect(smallest.name).toBe('c');
      expect(Math.max(...bytes.map((x) => x.tenants))).toBe(bytes.find((x) => x.name === 'c')!.tenants);
      const bySize = anotherProcess(s, { placement: 'least-bytes' });
      processes.push(bySize);
      expect((await bySize.createTenant({ slug: 'small_1', name: 'Small', strategy: 'schema' })).server).toBe('c');
      expect((await s.tenancy.createTenant({ slug: 'few_1', name: 'Few', strategy: 'schema' })).server).not.toBe('c');
    } finally {
      await s.admin.query('DROP TABLE filler');
      await onServer(b, 'DROP TABLE filler');
    }
  });

  it('rls tenants always go to the primary; rls on another server, or an unknown server, is refused and makes nothing', async () => {
    const s = suite();
    expect((await s.tenancy.createTenant({ slug: 'rls_any', name: 'Rls', strategy: 'rls' })).server).toBe('primary');
    expect((await s.tenancy.createTenant({ slug: 'rls_named', name: 'Rls', strategy: 'rls', server: 'primary' })).server).toBe('primary');
    await refusedAndNothingMade(
      s,
      () => s.tenancy.createTenant({ slug: 'rls_b', name: 'Rls', strategy: 'rls', server: 'b' }),
      StrategyNotSupportedError,
      'rls_b',
    );
    for (const strategy of ['rls', 'schema', 'database'] as const) {
      await refusedAndNothingMade(
        s,
        () => s.tenancy.createTenant({ slug: `unknown_${strategy}`, name: 'Nowhere', strategy, server: 'z' }),
        UnknownServerError,
        `unknown_${strategy}`,
      );
    }
  });

  it('drained and read-only servers take no new tenant, chosen or named; with none open, none is made', async () => {
    const s = suite();
    const seen: string[][] = [];
    const custom = anotherProcess(s, { placement: recordingPolicy(seen) });
    processes.push(custom);
    await s.tenancy.setServerState('b', 'drained');
    await s.tenancy.setServerState('c', 'read_only');
    try {
      // The primary has more tenants than b now, and it is the only open one.
      const counts = Object.fromEntries((await s.tenancy.listServers()).map((i) => [i.name, i.tenants]));
      expect(counts.primary).toBeGreaterThan(counts.b!);
      expect((await s.tenancy.createTenant({ slug: 'open_only', name: 'Open', strategy: 'schema' })).server).toBe('primary');
      expect((await custom.createTenant({ slug: 'open_policy', name: 'Open', strategy: 'database' })).server).toBe('primary');
      expect(seen).toEqual([['primary']]);
      for (const server of ['b', 'c'])
        for (const strategy of ['schema', 'database'] as const) {
          await refusedAndNothingMade(
            s,
            () => s.tenancy.createTenant({ slug: `closed_${server}_${strategy}`, name: 'Closed', strategy, server }),
            ServerNotOpenError,
            `closed_${server}_${strategy}`,
          );
        }
      await s.tenancy.setServerState('primary', 'drained');
      await refusedAndNothingMade(s, () => s.tenancy.createTenant({ slug: 'none_open', name: 'None', strategy: 'schema' }), ServerNotOpenError, 'none_open');
      await refusedAndNothingMade(s, () => custom.createTenant({ slug: 'none_policy', name: 'None', strategy: 'database' }), ServerNotOpenError, 'none_policy');
      expect(seen).toHaveLength(1);
    } finally {
      for (const name of ['primary', 'b', 'c']) await s.tenancy.setServerState(name, 'open');
    }
    expect((await s.tenancy.createTenant({ slug: 'open_again', name: 'Again', strategy: 'schema', server: 'b' })).server).toBe('b');
  });
});
