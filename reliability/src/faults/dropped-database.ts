import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TenancyError } from '@repo/tenancy';
import type { Check, Mode } from '../part';
import type { FaultDeployment } from './deployment';
import type { Load, LoadError } from './load';
import { errorKinds, isOutageError } from './recovery';
import { findLeaks, leakFree, tallyHolds, tallyWrites } from './verify';

const PLAN: Record<Mode, { warmMs: number; afterMs: number }> = {
  short: { warmMs: 1_000, afterMs: 2_000 },
  full: { warmMs: 3_000, afterMs: 6_000 },
};

/**
 * A database tenant's database dropped behind the library's back (a superuser's DROP DATABASE ...
 * WITH (FORCE)) under load. That tenant's calls must fail with the library's own error naming it;
 * every other tenant must go on without a single error; audit() must name it; and deleteTenant
 * without an archive must still remove what is left of it.
 */
export async function droppedDatabase(deployment: FaultDeployment, load: Load, mode: Mode): Promise<Check> {
  const plan = PLAN[mode];
  const victim = load.tenants.find((t) => t.strategy === 'database' && t.databaseName);
  if (!victim?.databaseName) throw new Error('no database tenant to drop');
  const others = load.tenants.filter((t) => t !== victim).map((t) => t.slug);
  const from = performance.now();
  load.start();
  await sleep(plan.warmMs);
  const dropAt = performance.now();
  const [drop] = await deployment.superuser<{ sql: string }>("SELECT format('DROP DATABASE %I WITH (FORCE)', $1::text) AS sql", [victim.databaseName]);
  await deployment.superuser(drop!.sql);
  const droppedAt = performance.now();
  await sleep(plan.afterMs);
  await load.stop();

  const victimErrors = load.errorsBetween(dropAt, Number.POSITIVE_INFINITY, [victim.slug]);
  // Calls that began before the drop finished may meet their connection being cut: an outage error.
  const inFlight = victimErrors.filter((e) => e.at < droppedAt);
  const after = victimErrors.filter((e) => e.at >= droppedAt);
  const clear = (e: LoadError) => e.error instanceof TenancyError && e.message.includes(`"${victim.slug}"`);
  const unclear = [...inFlight.filter((e) => !isOutageError(e) && !clear(e)), ...after.filter((e) => !clear(e))];
  const othersErrors = load.errorsBetween(from, Number.POSITIVE_INFINITY, others);
  const othersServed = others.filter((slug) => load.lastSuccess(slug) > droppedAt + plan.afterMs / 2).length;

  const audit = await deployment.tenancy.audit().then(
    (report) => ({ findings: report.findings.filter((f) => f.tenant === victim.slug || f.object.includes(victim.databaseName!)), error: undefined }),
    (error: unknown) => ({ findings: [], error: error as Error }),
  );

  load.retire(victim.slug);
  const tally = await tallyWrites(deployment.tenancy, load.tenants, load);
  const leaks = await findLeaks(deployment);
  // The way out for an operator: delete what is left of the tenant (its archive is gone with its database).
  const cleanup = await deployment.tenancy.deleteTenant(victim.slug, { archive: false }).then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  deployment.tenants.splice(deployment.tenants.indexOf(victim), 1);

  const figures = {
    'victim calls failed': victimErrors.length,
    'victim failures after the drop': after.length,
    'unclear victim errors': unclear.length,
    'errors of other tenants': othersErrors.length,
    'other tenants served after': `${othersServed}/${others.length}`,
    'audit findings naming it': audit.findings.length,
    'audit failed': audit.error ? 1 : 0,
    'delete without archive failed': cleanup ? 1 : 0,
    'acked writes (others)': tally.acked,
    lost: tally.lost,
    'half writes': tally.halves,
    'foreign rows': tally.foreign + load.foreignRows,
    'left in transaction': leaks.idleInTransaction,
    'checked out': leaks.checkedOut,
  };
  const passed =
    after.length > 0 &&
    unclear.length === 0 &&
    othersErrors.length === 0 &&
    othersServed === others.length &&
    audit.error === undefined &&
    audit.findings.length > 0 &&
    cleanup === undefined &&
    load.foreignRows === 0 &&
    tallyHolds(tally) &&
    leakFree(leaks);
  return {
    name: "a tenant's database dropped behind the library's back",
    figures,
    must: `the dropped tenant's calls fail with a TenancyError naming "${victim.slug}"; other tenants: no error, all served; audit() names it; deleteTenant({ archive: false }) clears it; lost, half writes, foreign rows, left in transaction, checked out all 0`,
    passed,
    detail: [
      victimErrors.length > 0 ? `victim: ${errorKinds(victimErrors)}` : 'the victim never failed',
      othersErrors.length > 0 ? `others: ${errorKinds(othersErrors)}` : '',
      audit.error ? `audit threw: ${audit.error.message}` : `audit: ${audit.findings.map((f) => `${f.code} (${f.object})`).join(', ') || 'nothing about it'}`,
      cleanup ? `deleteTenant threw: ${cleanup.message}` : '',
    ]
      .filter(Boolean)
      .join(' | '),
  };
}
