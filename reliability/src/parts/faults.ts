import type { Check, Part, PartContext } from '../part';
import { CLOSE_LIMIT_MS, closeWithin, startFaultDeployment, type FaultDeployment } from '../faults/deployment';
import { droppedDatabase } from '../faults/dropped-database';
import { fullArchiveDisk } from '../faults/full-archive-disk';
import { killedConnection } from '../faults/killed-connection';
import { Load, LOAD_SIZE } from '../faults/load';
import { pgbouncerRestart } from '../faults/pgbouncer-restart';
import { postgresRestart } from '../faults/postgres-restart';

/**
 * Faults under load (issue #20): PostgreSQL restarted, PgBouncer restarted, a tenant database
 * dropped behind the library's back, a server connection killed mid-transaction, the archive disk
 * full during a delete. One server and one deployment (tenants of all three strategies) for the
 * part; writer and reader loops per tenant run through each fault, and each fault is followed by a
 * count of acknowledged writes that must all be there.
 */
export const faultsPart: Part = {
  name: 'faults',
  title: 'faults under load: PostgreSQL and PgBouncer restarts, a dropped tenant database, a killed connection, a full archive disk',
  requires: ['pgbouncer'],
  async run(ctx: PartContext): Promise<Check[]> {
    const started = Date.now();
    const deployment = await startFaultDeployment(ctx.workDir, ctx.mode);
    ctx.log(`server on port ${deployment.server.port}, ${deployment.tenants.length} tenants, ready in ${Date.now() - started} ms`);
    const load = new Load(deployment.tenancy, deployment.tenants, LOAD_SIZE[ctx.mode]);
    const checks: Check[] = [];
    const faults: [string, () => Promise<Check | undefined>][] = [
      ['PostgreSQL restart', () => postgresRestart(deployment, load, ctx.mode)],
      ['PgBouncer restart', () => pgbouncerRestart(deployment, load, ctx.mode)],
      ['killed connection', () => killedConnection(deployment, load, ctx.mode, ctx.random.fork('kill'))],
      ['dropped database', () => droppedDatabase(deployment, load, ctx.mode)],
      ['full archive disk', () => fullArchiveDisk(deployment, load, ctx.mode, ctx.workDir)],
    ];
    try {
      for (const [label, fault] of faults) {
        const t0 = Date.now();
        try {
          const check = await fault();
          if (check) checks.push(check);
        } catch (error) {
          checks.push({ name: label, figures: {}, must: 'run to the end', passed: false, detail: (error as Error).stack ?? String(error) });
        } finally {
          await load.stop();
        }
        ctx.log(`${label}: ${Date.now() - t0} ms, ${load.writes} writes and ${load.reads} reads so far`);
      }
      checks.push(await closesClean(deployment));
    } finally {
      await deployment.close();
    }
    return checks;
  },
};

/** After every fault, closing the tenancy must leave no server connection of the app's roles behind. */
async function closesClean(deployment: FaultDeployment): Promise<Check> {
  const roles = ['app_user', ...deployment.tenants.flatMap((t) => (t.roleName ? [t.roleName] : []))];
  const count = async () =>
    (await deployment.superuser<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = ANY($1::text[])', [roles]))[0]?.n ?? -1;
  const before = await count();
  const closeError = await closeWithin(deployment.tenancy, CLOSE_LIMIT_MS).then(
    () => undefined,
    (error: Error) => error,
  );
  let after = await count();
  // A closed pool's connections end asynchronously on the server side: give the backends a moment to exit.
  for (let i = 0; i < 40 && after > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    after = await count();
  }
  return {
    name: 'closing the tenancy after the faults',
    figures: { 'app connections before close': before, 'after close': after, 'close hung': closeError ? 1 : 0 },
    must: `close() done within ${CLOSE_LIMIT_MS / 1000} s, and no server connection of the app role or a tenant role left after it`,
    passed: after === 0 && closeError === undefined,
    ...(closeError ? { detail: closeError.message } : {}),
  };
}
