import 'server-only';

import type { MigrateProgress } from '@repo/tenancy';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import type { Send } from './ndjson';
import type { Operator } from './session';
import { tenancy } from './tenancy';

// Migrate all: tenancy.migrate() (shared tables, templates, then every tenant, `concurrency` at a time;
// with a canary, that many tenants first and a stop there if one fails) with each finished target sent to
// the browser as it happens, and a summary of the failures at the end.

export const migrateInput = z.object({
  concurrency: z.coerce.number().int().min(1, 'At least 1.').max(16, 'At most 16.').default(4),
  /** Tenants migrated first, the run stopping there if one fails; 0 for no canary. */
  canary: z.coerce.number().int().min(0, 'At least 0.').max(100, 'At most 100.').default(0),
});

const holder = globalThis as typeof globalThis & { __adminMigrating?: { operator: string; since: number } };

/** The run in progress in this process, if any. */
export function migrationInProgress(): { operator: string; since: number } | undefined {
  return holder.__adminMigrating;
}

function event(progress: MigrateProgress): Record<string, unknown> {
  return {
    type: 'progress',
    tenant: progress.tenant?.slug ?? null,
    strategy: progress.tenant?.strategy ?? null,
    placement: progress.placement,
    status: progress.status,
    version: progress.version,
    error: progress.error?.message ?? null,
    completed: progress.completed,
    total: progress.total,
  };
}

export async function migrateAll(input: z.infer<typeof migrateInput>, operator: Operator, send: Send): Promise<void> {
  // One run at a time per process: two runs would only queue on the same per-tenant locks.
  if (holder.__adminMigrating) {
    send({ type: 'error', message: `A migration started by ${holder.__adminMigrating.operator} is still running: wait for it to finish.` });
    return;
  }
  holder.__adminMigrating = { operator: operator.email, since: Date.now() };
  const started = Date.now();
  try {
    send({ type: 'start', concurrency: input.concurrency, canary: input.canary });
    const summary = await tenancy().migrate({
      concurrency: input.concurrency,
      ...(input.canary > 0 ? { canary: input.canary } : {}),
      onProgress: (progress) => send(event(progress)),
    });
    const failed = summary.failures.map((f) => ({ tenant: f.tenant, placement: f.placement, error: f.message, code: f.code }));
    const notAttempted = summary.notAttempted.map((t) => t.slug);
    logger.info(
      {
        operator: operator.email,
        done: summary.done,
        failed: failed.length,
        canary: input.canary,
        stopped: summary.stoppedAfterCanary,
        ms: Date.now() - started,
      },
      'migrate all finished',
    );
    send({
      type: 'summary',
      done: summary.done,
      upToDate: summary.upToDate,
      failed,
      total: summary.results.length,
      canary: input.canary,
      stoppedAfterCanary: summary.stoppedAfterCanary,
      notAttempted,
      ms: Date.now() - started,
    });
  } finally {
    holder.__adminMigrating = undefined;
  }
}
