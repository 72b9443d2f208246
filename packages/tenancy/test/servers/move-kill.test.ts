import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretsProvider, TenantNotActiveError, type StrategyName } from '../../src/index';
import { startLifecycleProcess, type LifecycleProcess } from '../fixtures/processes/lifecycle-process';
import { heldOn, NOTHING, whileWriting, written, type Held } from './move-checks';
import { anotherProcess, useServers } from './support';

const SECRETS = path.join(mkdtempSync(path.join(os.tmpdir(), 'xs-kill-secrets-')), 'secrets.json');
// The processes and this one share the database tenants' passwords. b holds a shard of the shared tables.
const suite = useServers({ label: 'move_servers_kill', overrides: { secrets: new FileSecretsProvider(SECRETS) }, shards: ['b'] });

type Place = { strategy: StrategyName; server: string };

/** 'schema@b' as a Place. */
function place(text: string): Place {
  const [strategy, server] = text.split('@') as [StrategyName, string];
  return { strategy, server };
}

/** Starts a mover in a process of its own (stopping before `stopAt`, when given) and hands it the move. */
async function mover(slug: string, to: Place, stopAt?: string): Promise<LifecycleProcess> {
  const { config, tenancy } = suite();
  const { secrets: _secrets, beforeStep: _beforeStep, clientClass: _clientClass, ...plain } = config;
  const child = startLifecycleProcess({ tenancy: { ...plain, namePrefix: tenancy.config.namePrefix }, secretsFile: SECRETS, ...(stopAt ? { stopAt } : {}) });
  await child.ready();
  child.send({ op: 'move', slug, strategy: to.strategy, server: to.server });
  return child;
}

function pool(server: string) {
  const s = suite();
  return server === 'b' ? s.server('b').admin : s.admin;
}

const HELD: Record<StrategyName, Held> = {
  rls: NOTHING, // its rows in the shared tables are counted apart
  schema: { ...NOTHING, schema: true, role: true },
  database: { ...NOTHING, database: true, role: true },
};

/**
 * After a killed move: `moveTenant(key, <where it is>)` leaves nothing of the tenant on the other server; then (unless the
 * kill came after the switch) the move runs again to its end. A writer runs throughout, in another instance: its
 * acknowledged writes are all there, each once, and so are the seeded rows.
 */
async function recover(slug: string, from: Place, to: Place, kill: () => Promise<void>, undoFirst: boolean, label: string): Promise<void> {
  const s = suite();
  const { tenancy } = s;
  const { id } = await tenancy.getTenant(slug);
  const name = `${tenancy.config.namePrefix}${slug}`;
  const other = anotherProcess(s);
  const { acknowledged } = await whileWriting(other, slug, async () => {
    await kill();
    const there = await tenancy.getTenant(slug);
    const at: Place = { strategy: there.strategy, server: there.server };
    expect([`${from.strategy}@${from.server}`, `${to.strategy}@${to.server}`], label).toContain(`${at.strategy}@${at.server}`);
    if (undoFirst || at.server === to.server) {
      await afterKill(() => tenancy.moveTenant(slug, at));
      const elsewhere = at.server === from.server ? to.server : from.server;
      expect(await heldOn(pool(elsewhere), name, id), `${label}: what ${elsewhere} keeps after the undo`).toEqual(NOTHING);
    }
    if (at.server !== to.server || at.strategy !== to.strategy) await afterKill(() => tenancy.moveTenant(slug, to));
  }).finally(() => other.close());
  expect(await tenancy.getTenant(slug), label).toMatchObject({ strategy: to.strategy, server: to.server, status: 'active' });
  expect(await written(tenancy, slug), `${label}: acknowledged writes`).toEqual(acknowledged);
  const { rows } = await tenancy.queryAs<{ n: number }>(slug, `select count(*)::int as n from notes where body like 'seed %'`);
  expect(rows[0]!.n, label).toBe(SEED);
  expect(await heldOn(pool(from.server), name, id), `${label}: the source server`).toEqual(NOTHING);
  const target = await heldOn(pool(to.server), name, id);
  expect({ ...target, sharedRows: 0 }, `${label}: the target server`).toEqual(HELD[to.strategy]);
  expect(target.sharedRows > 0, label).toBe(to.strategy === 'rls');
}

const SEED = 20;

/**
 * moveTenant right after a kill: the server may not have ended the killed mover's session yet (it holds the tenant's
 * move lock until then), and the call says another one is moving it. Asked again until the lock is gone.
 */
async function afterKill<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof TenantNotActiveError && /another call/.test(error.message)) || attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function seeded(slug: string, from: Place): Promise<void> {
  const { tenancy } = suite();
  await tenancy.createTenant({ slug, name: slug, ...from });
  await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) select 'seed ' || g from generate_series(1, $1::int) g`, [SEED]), {
    role: 'admin',
  });
}

/** mulberry32: the random kill times come from a seed the failure message names. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a cross-server mover killed with SIGKILL', () => {
  it(
    'database@primary -> database@b, killed before each step: the tenant serves throughout, and the undo or the rerun leaves one copy',
    { timeout: 600_000 },
    async () => {
      const { tenancy } = suite();
      const from: Place = { strategy: 'database', server: 'primary' };
      const to: Place = { strategy: 'database', server: 'b' };
      const steps = tenancy.lifecycleSteps('database').move;
      for (const [i, step] of steps.entries()) {
        const slug = `xk_${step.replace(/\W/g, '_')}`.slice(0, 40);
        await seeded(slug, from);
        const kill = async () => {
          const child = await mover(slug, to, step);
          await child.waitFor((e) => e.event === 'at' && e.step === step);
          await child.kill();
        };
        await recover(slug, from, to, kill, i % 2 === 0, step);
      }
      expect((await tenancy.audit()).findings).toEqual([]);
    },
  );

  it.each([
    ['rls@primary', 'schema@b'],
    ['schema@b', 'rls@primary'],
    ['rls@primary', 'rls@b'],
  ])('%s -> %s, killed at random moments: no copy left behind, no write lost', { timeout: 300_000 }, async (fromText, toText) => {
    const [from, to] = [place(fromText), place(toText)];
    const { tenancy } = suite();
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);
    for (let i = 0; i < 6; i++) {
      const slug = `xr_${from.strategy.slice(0, 3)}_${to.strategy.slice(0, 3)}_${i}`;
      await seeded(slug, from);
      const delay = Math.floor(next() * 1500);
      const kill = async () => {
        const child = await mover(slug, to);
        await new Promise((resolve) => setTimeout(resolve, delay));
        await child.kill();
      };
      await recover(slug, from, to, kill, i % 2 === 0, `seed ${seed}, kill ${i} after ${delay} ms`);
    }
    expect((await tenancy.audit()).findings).toEqual([]);
  });
});

describe('a cross-server mover killed after it made the role, before the schema or database', () => {
  it.each([
    ['rls@primary', 'schema@b', 'schema.placement'],
    ['rls@primary', 'database@b', 'database.role'],
    ['rls@primary', 'database@b', 'database.create'],
    ['schema@primary', 'schema@b', 'schema.placement'],
    ['schema@b', 'database@b', 'database.create'],
    ['database@b', 'schema@b', 'schema.placement'],
  ])('%s -> %s killed before %s: the undo leaves no role, login, membership or password behind', async (fromText, toText, step) => {
    const [from, to] = [place(fromText), place(toText)];
    const s = suite();
    const { tenancy } = s;
    const slug = `xo_${from.strategy.slice(0, 3)}_${from.server.slice(0, 1)}_${to.strategy.slice(0, 3)}_${to.server.slice(0, 1)}_${step.split('.')[1]}`;
    await seeded(slug, from);
    const { id } = await tenancy.getTenant(slug);
    const name = `${tenancy.config.namePrefix}${slug}`;
    const child = await mover(slug, to, step);
    await child.waitFor((e) => e.event === 'at' && e.step === step);
    await child.kill();

    await afterKill(() => tenancy.moveTenant(slug, from));
    const held = await heldOn(pool(to.server), name, id);
    const role = (
      await pool(to.server).query<{ login: boolean; member: boolean }>(
        `select rolcanlogin as login, pg_has_role('app_user', oid, 'MEMBER') as member from pg_roles where rolname = $1`,
        [name],
      )
    ).rows[0];
    if (from.server === to.server) {
      // The tenant's own role: as its strategy has it (a schema tenant's does not log in; a database tenant's is no app_user's).
      expect(held).toMatchObject({ role: true, schema: from.strategy === 'schema', database: from.strategy === 'database' });
      expect(role).toEqual({ login: from.strategy === 'database', member: from.strategy === 'schema' });
    } else {
      expect(held).toEqual(NOTHING);
    }
    expect(Boolean(await tenancy.config.secrets!.get(slug))).toBe(from.strategy === 'database');
    expect((await tenancy.queryAs<{ n: number }>(slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(SEED);
    expect((await tenancy.audit()).findings).toEqual([]);
  });
});
