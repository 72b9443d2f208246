import { TenantNotActiveError, TenantNotFoundError } from '@repo/tenancy';

/** A tenant job that must not run now but may later: pg-boss retries it after the queue's retry delay. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/** What a job's tenant being gone or unavailable means for the job: skip it for good, retry it, or neither (null). */
export type TenantOutcome = { skip: string } | { retry: string } | null;

/**
 * Statuses that pass: a tenant that is `moving` (past the pause a request waits out) or still `provisioning` will
 * serve again, from wherever the catalog then places it. Any other status (`deleting`, and any status a catalog adds
 * later such as a suspension) means the tenant serves nobody, so its jobs are skipped rather than run somewhere else.
 */
const PASSING_STATUSES: ReadonlySet<string> = new Set(['moving', 'provisioning']);

export function tenantOutcome(error: unknown): TenantOutcome {
  if (error instanceof TenantNotFoundError) return { skip: 'tenant-deleted' };
  if (error instanceof TenantNotActiveError) {
    return PASSING_STATUSES.has(error.status) ? { retry: `tenant-${error.status}` } : { skip: `tenant-${error.status}` };
  }
  return null;
}
