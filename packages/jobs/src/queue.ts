import PgBoss from 'pg-boss';
import type { ContextOptions, Tenancy, Tenant, TenantTx } from '@repo/tenancy';
import { RetryLaterError, tenantOutcome } from './outcome';

/** The tenant a job belongs to, and who it acts for: the same context a request of that user would have. */
export interface JobTenant {
  id: string;
  userId?: string;
  /** The role the job acts with, as a request's (`current_app_role()`). */
  role: string;
}

/** What a handler gets: for a tenant job, the tenant and a transaction in its context (committed when the handler returns). */
export interface JobContext {
  jobId: string;
  tenant: Tenant | null;
  tx: TenantTx | null;
}

export interface JobDefinition<P extends object = object> {
  name: string;
  handler: (payload: P, context: JobContext) => Promise<void>;
}

/** What the queue logs through: pino's shape. */
export interface JobLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What the queue needs from a pg.Pool: the queue role's (app_auth's) pool, direct or through PgBouncer in transaction mode (pg-boss polls, and sends no named statements). */
export interface QueueDatabase {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface JobQueueConfig {
  /** The queue role's pool: app_auth's, which owns the queue's schema. */
  db: QueueDatabase;
  tenancy: Pick<Tenancy, 'withTenant'>;
  jobs: readonly JobDefinition<never>[];
  log: JobLog;
  /** Seconds between polls of each queue (default 2). */
  pollingIntervalSeconds?: number;
  /** Retries of a failing job (default 10), the first after `retryDelaySeconds` (default 5), then backing off. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** A job running longer than this is given up and retried: a worker killed mid-job loses nothing (default 300). */
  expireInSeconds?: number;
  /** How often some process's maintenance gives up expired jobs, among other things (pg-boss's default: 120). */
  maintenanceIntervalSeconds?: number;
}

interface Envelope {
  tenant: JobTenant | null;
  payload: object;
}

/** The result pg-boss keeps with a completed job. */
export type JobResult = { status: 'done' } | { status: 'skipped'; reason: string };

export interface JobQueue {
  /** Connects and creates the queues; with `work`, also polls them and runs their jobs in this process. */
  start(options: { work: boolean }): Promise<void>;
  send(name: string, payload: object, options?: { tenant?: JobTenant }): Promise<string>;
  stop(): Promise<void>;
}

export function createJobQueue(config: JobQueueConfig): JobQueue {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => config.db.query(text, values) as Promise<{ rows: never[] }> },
    schema: 'pgboss',
    // The schema is installed by the owner connection (prepareDatabase): this role may not create schemas.
    migrate: false,
    ...(config.maintenanceIntervalSeconds ? { maintenanceIntervalSeconds: config.maintenanceIntervalSeconds } : {}),
  });
  boss.on('error', (error) => config.log.error({ err: error, event: 'jobs.error' }, 'job queue error'));
  const definitions = new Map(config.jobs.map((job) => [job.name, job as JobDefinition<object>]));
  let started: Promise<void> | undefined;

  async function run(definition: JobDefinition<object>, job: PgBoss.Job<Envelope>): Promise<JobResult> {
    const { tenant, payload } = job.data;
    const fields = { event: 'jobs.run', job: definition.name, jobId: job.id, tenantId: tenant?.id };
    if (!tenant) {
      await definition.handler(payload, { jobId: job.id, tenant: null, tx: null });
      config.log.info(fields, 'job done');
      return { status: 'done' };
    }
    try {
      const context: ContextOptions = { role: tenant.role, ...(tenant.userId ? { userId: tenant.userId } : {}) };
      await config.tenancy.withTenant(tenant.id, (tx) => definition.handler(payload, { jobId: job.id, tenant: tx.tenant, tx }), context);
    } catch (error) {
      const outcome = tenantOutcome(error);
      if (!outcome) throw error;
      if ('retry' in outcome) {
        config.log.info({ ...fields, reason: outcome.retry }, 'job postponed: its tenant is not serving yet');
        throw new RetryLaterError(`tenant ${tenant.id}: ${outcome.retry}`, { cause: error });
      }
      config.log.warn({ ...fields, event: 'jobs.skipped', reason: outcome.skip }, 'job skipped: its tenant no longer serves');
      return { status: 'skipped', reason: outcome.skip };
    }
    config.log.info(fields, 'job done');
    return { status: 'done' };
  }

  return {
    start({ work }) {
      started ??= (async () => {
        await boss.start();
        for (const name of definitions.keys()) {
          await boss.createQueue(name, {
            name,
            retryLimit: config.retryLimit ?? 10,
            retryDelay: config.retryDelaySeconds ?? 5,
            retryBackoff: true,
            expireInSeconds: config.expireInSeconds ?? 300,
          });
        }
        if (!work) return;
        for (const [name, definition] of definitions) {
          // One job per fetch: each gets its own tenant transaction and its own outcome.
          await boss.work<Envelope>(name, { batchSize: 1, pollingIntervalSeconds: config.pollingIntervalSeconds ?? 2 }, async ([job]) => run(definition, job!));
        }
      })();
      return started;
    },
    async send(name, payload, options = {}) {
      if (!definitions.has(name)) throw new Error(`No job named "${name}" is defined`);
      const envelope: Envelope = { tenant: options.tenant ?? null, payload };
      const id = await boss.send(name, envelope);
      if (!id) throw new Error(`The queue refused job "${name}"`);
      return id;
    },
    async stop() {
      if (!started) return;
      await started.catch(() => undefined);
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
