import { setTimeout as sleep } from 'node:timers/promises';
import type { Check, Mode } from '../part';
import type { FaultDeployment } from './deployment';
import type { Load } from './load';
import { outageCheck } from './outage';

const PLAN: Record<Mode, { rounds: number; downMs: number; warmMs: number; settleMs: number }> = {
  short: { rounds: 1, downMs: 1_000, warmMs: 1_500, settleMs: 1_000 },
  full: { rounds: 3, downMs: 3_000, warmMs: 5_000, settleMs: 3_000 },
};

/**
 * PostgreSQL stopped (fast shutdown: every connection cut, in-flight transactions rolled back) and
 * started again on the same data directory and port, under load. The app's tenancy is not recreated:
 * its pools must drop the dead connections and open new ones by themselves.
 */
export async function postgresRestart(deployment: FaultDeployment, load: Load, mode: Mode): Promise<Check> {
  const plan = PLAN[mode];
  return outageCheck(deployment, load, {
    name: 'PostgreSQL stopped and restarted under load',
    must: `calls fail while the server is down (${plan.downMs} ms)`,
    rounds: plan.rounds,
    warmMs: plan.warmMs,
    settleMs: plan.settleMs,
    tenancy: deployment.tenancy,
    cut: async () => {
      await deployment.server.stop();
      await sleep(plan.downMs);
      await deployment.server.start();
    },
  });
}
