import type { StrategyName } from '@repo/tenancy';

// Apart from dataset.ts, which builds these, so that the workloads can read them without importing the builder back.

/** A tenant a call may act for. `idx` is the rls tenant whose rows it holds (mirrors keep the ids). */
export interface TenantRef {
  idx: number;
  id: string;
  slug: string;
  strategy: StrategyName;
  nProjects: number;
  nTasks: number;
  userId: string;
  /** Inserts sent for this tenant so far, by any approach: the upper bound of a count check. */
  inserts: { started: number };
}
