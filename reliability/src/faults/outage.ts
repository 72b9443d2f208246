import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppTenancy } from '@repo/db/tenancy';
import type { Check } from '../part';
import type { FaultDeployment } from './deployment';
import type { Load } from './load';
import { errorKinds, isOutageError, RECOVERY_LIMIT_MS, waitForRecovery } from './recovery';
import { findLeaks, leakFree, tallyHolds, tallyWrites } from './verify';

export interface OutagePlan {
  name: string;
  must: string;
  rounds: number;
  /** Load before the fault, and after every tenant is served again. */
  warmMs: number;
  settleMs: number;
  /** The instance serving the load, created once before the first round and never recreated. */
  tenancy: AppTenancy;
  /** Takes the service away and brings it back; resolves once it is back. */
  cut(): Promise<void>;
}

/**
 * Rounds of one outage under load: calls fail while the service is away, with errors that say so,
 * and the same tenancy instance serves every tenant again within RECOVERY_LIMIT_MS. Then every
 * acknowledged write must be there, whole, and nothing may be left checked out or open in a transaction.
 */
export async function outageCheck(deployment: FaultDeployment, load: Load, plan: OutagePlan): Promise<Check> {
  const recoveries: number[] = [];
  let unrecovered = 0;
  let outageErrors = 0;
  let unclear = 0;
  let afterRecovery = 0;
  const seen: typeof load.errors = [];
  const unclearSeen: typeof load.errors = [];
  let slowestCut = 0;
  for (let round = 0; round < plan.rounds; round++) {
    const from = performance.now();
    load.start();
    await sleep(plan.warmMs);
    const cutAt = performance.now();
    await plan.cut();
    const upAt = performance.now();
    slowestCut = Math.max(slowestCut, upAt - cutAt);
    const recovery = await waitForRecovery(load, upAt);
    const recoveredAt = performance.now();
    if (recovery === undefined) unrecovered++;
    else recoveries.push(recovery);
    await sleep(plan.settleMs);
    await load.stop();
    const during = load.errorsBetween(from, recoveredAt);
    const after = load.errorsBetween(recoveredAt, Number.POSITIVE_INFINITY);
    outageErrors += during.length;
    unclearSeen.push(...during.filter((e) => !isOutageError(e)));
    unclear = unclearSeen.length;
    afterRecovery += after.length;
    seen.push(...during, ...after);
  }
  const tally = await tallyWrites(plan.tenancy, load.tenants, load);
  const leaks = await findLeaks(deployment, plan.tenancy);
  const recoveryMs = recoveries.length > 0 ? Math.round(Math.max(...recoveries)) : -1;
  const passed =
    unrecovered === 0 && outageErrors > 0 && unclear === 0 && afterRecovery === 0 && load.foreignRows === 0 && tallyHolds(tally) && leakFree(leaks);
  return {
    name: plan.name,
    figures: {
      rounds: plan.rounds,
      'outage ms': Math.round(slowestCut),
      'recovery ms (max)': recoveryMs,
      unrecovered,
      'failed calls': outageErrors,
      'unclear errors': unclear,
      'errors after recovery': afterRecovery,
      'acked writes': tally.acked,
      lost: tally.lost,
      'half writes': tally.halves,
      'foreign rows': tally.foreign + load.foreignRows,
      'failed writes present': tally.inDoubtPresent,
      'left in transaction': leaks.idleInTransaction,
      'checked out': leaks.checkedOut,
    },
    must: `${plan.must}; every tenant served again by the same instance within ${RECOVERY_LIMIT_MS / 1000} s; failed calls > 0, all with an outage error; no error after recovery; lost, half writes, foreign rows, left in transaction, checked out all 0`,
    passed,
    detail:
      seen.length > 0
        ? `errors seen: ${errorKinds(seen)}${unclearSeen.length > 0 ? ` | unclear: ${errorKinds(unclearSeen)}` : ''}`
        : 'no call failed: the outage did not happen',
  };
}
