import { describe, expect, it } from 'vitest';
import { ServerNotOpenError, ServerUnavailableError, StrategyNotSupportedError, UnknownServerError, type Tenant } from '../../src/index';
import { heldOn, NOTHING } from './move-checks';
import { anotherProcess, useServers } from './support';

const suite = useServers({ label: 'move_refusals', extra: 2 });

/** A tenant with a few rows, and what the catalog says of it. */
async function seeded(slug: string, strategy: Tenant['strategy'], server = 'primary'): Promise<Tenant> {
  const { tenancy } = suite();
  // Named: the placement policy would put it on an emptier server.
  await tenancy.createTenant({ slug, name: slug, strategy, server });
  await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) select 'n' || g from generate_series(1, 5) g`), { role: 'admin' });
  return tenancy.getTenant(slug);
}

/** The tenant is where it was, serves its rows, and `server` holds nothing of it. */
async function unchanged(before: Tenant, server: 'b' | 'c'): Promise<void> {
  const s = suite();
  expect(await s.tenancy.getTenant(before.slug)).toMatchObject({ strategy: before.strategy, server: before.server, status: 'active' });
  expect((await s.tenancy.queryAs<{ n: number }>(before.slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(5);
  expect(await heldOn(s.server(server).admin, `${s.tenancy.config.namePrefix}${before.slug}`, before.id)).toEqual(NOTHING);
}

describe('moveTenant across servers: refusals', () => {
  it.each(['drained', 'read_only'] as const)('a move to a %s server is refused (ServerNotOpenError) and changes nothing', async (state) => {
    const { tenancy } = suite();
    const before = await seeded(`ref_${state}`, 'schema');
    await tenancy.setServerState('b', state);
    try {
      await expect(tenancy.moveTenant(before.slug, { server: 'b' })).rejects.toThrow(ServerNotOpenError);
      await expect(tenancy.moveTenant(before.slug, { strategy: 'database', server: 'b' })).rejects.toThrow(ServerNotOpenError);
    } finally {
      await tenancy.setServerState('b', 'open');
    }
    await unchanged(before, 'b');
  });

  it('a server nobody configured: UnknownServerError, nothing changed', async () => {
    const before = await seeded('ref_unknown', 'database');
    await expect(suite().tenancy.moveTenant(before.slug, { server: 'nope' })).rejects.toThrow(UnknownServerError);
    await unchanged(before, 'b');
  });

  it('an rls tenant sent to another server without a strategy: StrategyNotSupportedError (rls lives on the primary), nothing changed', async () => {
    const before = await seeded('ref_rls', 'rls');
    await expect(suite().tenancy.moveTenant(before.slug, { server: 'b' })).rejects.toThrow(StrategyNotSupportedError);
    await unchanged(before, 'b');
    expect((await suite().tenancy.audit()).findings).toEqual([]);
  });

  it('a target server that dies during the move: ServerUnavailableError naming it; the tenant serves where it was, and the move finishes once it is back', async () => {
    const s = suite();
    const before = await seeded('ref_dies', 'schema');
    const c = s.server('c');
    // The checks at the start pass; the server goes just before the copy, as a crash would take it.
    const mover = anotherProcess(s, {
      beforeStep: async (step) => {
        if (step === 'move.copy') await c.stop();
      },
    });
    try {
      const error = await mover.moveTenant(before.slug, { server: 'c' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ServerUnavailableError);
      expect((error as Error).message).toMatch(/Server "c" cannot be reached/);
    } finally {
      await mover.close();
      await c.start();
    }
    expect(await s.tenancy.getTenant(before.slug)).toMatchObject({ strategy: 'schema', server: 'primary', status: 'active' });
    expect((await s.tenancy.queryAs<{ n: number }>(before.slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(5);
    expect((await s.tenancy.moveTenant(before.slug, { server: 'c' })).toServer).toBe('c');
    expect((await s.tenancy.queryAs<{ n: number }>(before.slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(5);
  });

  // Last: server c does not come back.
  it('a server that is down: a move to it or from it fails with ServerUnavailableError and the tenant serves where it is', async () => {
    const s = suite();
    const here = await seeded('ref_down_here', 'schema');
    const there = await seeded('ref_down_there', 'database', 'c');
    await s.server('c').stop();

    await expect(s.tenancy.moveTenant(here.slug, { strategy: 'database', server: 'c' })).rejects.toThrow(ServerUnavailableError);
    expect(await s.tenancy.getTenant(here.slug)).toMatchObject({ strategy: 'schema', server: 'primary', status: 'active' });
    expect((await s.tenancy.queryAs<{ n: number }>(here.slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(5);
    // Nothing was made for the database it would have had: not even its password.
    expect(await s.tenancy.config.secrets!.get(here.slug)).toBeFalsy();

    await expect(s.tenancy.moveTenant(there.slug, { strategy: 'schema', server: 'primary' })).rejects.toThrow(ServerUnavailableError);
    expect(await s.tenancy.getTenant(there.slug)).toMatchObject({ strategy: 'database', server: 'c', status: 'active' });
    expect(await heldOn(s.admin, `${s.tenancy.config.namePrefix}${there.slug}`, there.id)).toEqual(NOTHING);
    await expect(s.tenancy.queryAs(there.slug, 'select 1')).rejects.toThrow(ServerUnavailableError);
  });
});
