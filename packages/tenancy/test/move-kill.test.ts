import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { StrategyName } from '../src/index';
import { CONTEXT_SECRET, FIXTURE_MIGRATIONS, useTenancy } from './support';

const suite = useTenancy('move_kill');
const MOVER = fileURLToPath(new URL('./fixtures/processes/mover.ts', import.meta.url));

/** Starts a mover process and resolves once it stands before `step`, with the process to kill. */
async function moverAt(slug: string, to: StrategyName, step: string) {
  const { db, tenancy } = suite();
  const config = tenancy.config;
  const child = spawn(process.execPath, ['--import', 'tsx', MOVER, slug, to, step], {
    env: {
      ...process.env,
      MOVER_CONTEXT_SECRET: CONTEXT_SECRET,
      MOVER_CONFIG: JSON.stringify({
        adminUrl: db.url,
        appUrl: config.appUrl,
        namePrefix: config.namePrefix,
        secretsFile: '/dev/null',
        migrationsFolder: FIXTURE_MIGRATIONS,
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes(`at ${step}`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the mover exited (${code}) before ${step}`)));
  });
  return child;
}

describe('a mover killed with SIGKILL', () => {
  it.each([
    ['rls', 'schema'],
    ['schema', 'rls'],
  ] as const)('%s -> %s, in its pause: the tenant serves again from the old placement at once, and the same call then finishes the move', async (from, to) => {
    const { tenancy } = suite();
    const slug = `kill_${from}_${to}`;
    await tenancy.createTenant({ slug, name: slug, strategy: from });
    await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) select 'n' || g from generate_series(1, 30) g`), { role: 'admin' });

    const mover = await moverAt(slug, to, 'move.catch-up');
    // Paused: the tenant is `moving`, and a request waits instead of running.
    expect((await suite().admin.query('select status from tenancy.tenants where slug = $1', [slug])).rows[0].status).toBe('moving');
    let waited = false;
    const write = tenancy
      .withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('during the pause')`), { role: 'admin' })
      .then(() => (waited = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waited).toBe(false);

    mover.kill('SIGKILL');
    await once(mover, 'exit');
    // The session lock died with the mover: the waiting write goes through, to the old placement.
    await write;
    expect(await tenancy.getTenant(slug)).toMatchObject({ strategy: from });
    await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('after the kill')`), { role: 'admin' });
    expect((await tenancy.queryAs<{ n: number }>(slug, 'select count(*)::int as n from notes')).rows[0]!.n).toBe(32);

    const summary = await tenancy.moveTenant(slug, to);
    expect(summary.tenant).toMatchObject({ strategy: to, status: 'active' });
    const { rows } = await tenancy.queryAs<{ body: string }>(slug, 'select body from notes order by body');
    expect(rows.map((r) => r.body)).toEqual(expect.arrayContaining(['during the pause', 'after the kill']));
    expect(rows).toHaveLength(32);
  });
});
