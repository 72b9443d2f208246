import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Check, Mode } from '../part';
import type { Random } from '../random';
import type { FaultDeployment, LoadTenant } from './deployment';
import { writeMarker, type Load } from './load';
import { errorKinds } from './recovery';
import { findLeaks, leakFree, tallyHolds, tallyWrites } from './verify';

const ROUNDS_PER_STRATEGY: Record<Mode, number> = { short: 2, full: 5 };
const WARM_MS: Record<Mode, number> = { short: 1_000, full: 3_000 };

interface Kill {
  /** The backend was found in pg_stat_activity, idle inside the open transaction, and terminated. */
  terminated: boolean;
  rejected: boolean;
  /** The killed transaction's project or task rows present afterwards. */
  present: number;
  /** The next call for the same tenant succeeded (its pool replaced the connection). */
  nextServed: boolean;
  error?: unknown;
}

/**
 * A server connection terminated (pg_terminate_backend, found through pg_stat_activity) while a
 * withTenant transaction has written and is open, under load on every tenant. The call must reject,
 * its writes must be gone (the transaction is atomic), the tenant's next call must be served, and no
 * other caller may notice.
 */
export async function killedConnection(deployment: FaultDeployment, load: Load, mode: Mode, random: Random): Promise<Check> {
  const kills: Kill[] = [];
  const from = performance.now();
  load.start();
  await sleep(WARM_MS[mode]);
  for (const strategy of ['rls', 'schema', 'database'] as const) {
    const candidates = load.tenants.filter((t) => t.strategy === strategy);
    for (let round = 0; round < ROUNDS_PER_STRATEGY[mode]; round++) kills.push(await killOne(deployment, load, random.pick(candidates), `kill${kills.length}`));
  }
  await sleep(WARM_MS[mode]);
  await load.stop();
  const loadErrors = load.errorsBetween(from, Number.POSITIVE_INFINITY);
  const tally = await tallyWrites(deployment.tenancy, load.tenants, load);
  const leaks = await findLeaks(deployment);
  const count = (f: (k: Kill) => boolean) => kills.filter(f).length;
  const figures = {
    kills: kills.length,
    terminated: count((k) => k.terminated),
    rejected: count((k) => k.rejected),
    'killed rows present': kills.reduce((n, k) => n + k.present, 0),
    'next call served': count((k) => k.nextServed),
    'errors of other callers': loadErrors.length,
    'acked writes': tally.acked,
    lost: tally.lost,
    'half writes': tally.halves,
    'foreign rows': tally.foreign + load.foreignRows,
    'left in transaction': leaks.idleInTransaction,
    'checked out': leaks.checkedOut,
  };
  const all = kills.length;
  const passed =
    all > 0 &&
    figures.terminated === all &&
    figures.rejected === all &&
    figures['killed rows present'] === 0 &&
    figures['next call served'] === all &&
    loadErrors.length === 0 &&
    load.foreignRows === 0 &&
    tallyHolds(tally) &&
    leakFree(leaks);
  const killErrors = kills.flatMap((k) => (k.error ? [k.error] : [])) as Error[];
  return {
    name: 'a server connection killed mid-transaction',
    figures,
    must: 'every kill terminated, rejected, its rows absent and the next call served; errors of other callers, lost, half writes, foreign rows, left in transaction, checked out all 0',
    passed,
    detail: [
      killErrors.length > 0
        ? `killed calls failed with: ${errorKinds(killErrors.map((e) => ({ tenant: '', op: 'write' as const, at: 0, ms: 0, name: e.name, code: (e as { code?: string }).code, message: e.message, error: e })))}`
        : '',
      loadErrors.length > 0 ? `other callers: ${errorKinds(loadErrors)}` : '',
    ]
      .filter(Boolean)
      .join(' | '),
  };
}

async function killOne(deployment: FaultDeployment, load: Load, tenant: LoadTenant, label: string): Promise<Kill> {
  const marker = `${tenant.slug}:${label}`;
  // Not acknowledged, and must not be there: counted below, not again as a foreign row.
  load.record(tenant.slug, marker, false);
  let reportPid!: (pid: number) => void;
  const pidKnown = new Promise<number>((resolve) => (reportPid = resolve));
  let resume!: () => void;
  const killed = new Promise<void>((resolve) => (resume = resolve));
  const call = deployment.tenancy.withTenant(
    tenant.slug,
    async (tx) => {
      const { rows } = await tx.query<{ id: string }>('INSERT INTO projects (name) VALUES ($1) RETURNING id', [marker]);
      await tx.query('INSERT INTO tasks (project_id, title) VALUES ($1, $2)', [rows[0]!.id, marker]);
      reportPid((await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      await killed;
      await tx.query('SELECT 1');
    },
    { role: 'admin' },
  );
  const outcome = call.then(
    () => ({ rejected: false, error: undefined as unknown }),
    (error: unknown) => ({ rejected: true, error }),
  );
  const pid = await Promise.race([pidKnown, outcome.then(() => -1)]);
  let terminated = false;
  if (pid > 0) {
    const rows = await deployment.superuser<{ done: boolean }>(
      `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE pid = $1 AND state = 'idle in transaction'`,
      [pid],
    );
    terminated = rows.length === 1 && rows[0]!.done;
    // Resume the transaction only once the backend is gone, so its next statement meets a dead connection.
    for (let i = 0; i < 100; i++) {
      const left = await deployment.superuser('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
      if (left.length === 0) break;
      await sleep(20);
    }
  }
  resume();
  const { rejected, error } = await outcome;
  const present = await deployment.tenancy.withTenant(
    tenant.slug,
    async (tx) =>
      (await tx.query<{ n: number }>('SELECT (SELECT count(*) FROM projects WHERE name = $1) + (SELECT count(*) FROM tasks WHERE title = $1) AS n', [marker]))
        .rows[0]!.n,
    { role: 'admin' },
  );
  const nextServed = await writeMarker(deployment.tenancy, tenant.slug, `${marker}:next`).then(
    () => true,
    () => false,
  );
  load.record(tenant.slug, `${marker}:next`, nextServed);
  return { terminated, rejected, present: Number(present), nextServed, error };
}
