import 'server-only';

import { createJobQueue, type JobQueue } from '@repo/jobs';

import { serverEnv } from '@/env';
import { logger } from '@/lib/logger';
import { authPool } from '@/server/auth/accounts';
import { jobTenancy } from '@/server/tenant-data';

import { ACCOUNT_JOBS } from './account-mail';

// The process's job queue (pg-boss in PostgreSQL, as app_auth: app_user has no right on its tables). Every web process
// can send; each also runs the worker unless JOBS_WORKER=off, so `npm run dev` and each container need nothing else.
// A tenant job runs through jobTenancy(), in its tenant's context like a request.

const holder = globalThis as typeof globalThis & { __webJobs?: { queue: JobQueue; started: Promise<void> } };

function queue(): { queue: JobQueue; started: Promise<void> } {
  if (!holder.__webJobs) {
    const created = createJobQueue({ db: authPool(), tenancy: jobTenancy(), jobs: ACCOUNT_JOBS, log: logger });
    holder.__webJobs = { queue: created, started: created.start({ work: serverEnv().JOBS_WORKER === 'on' }) };
    holder.__webJobs.started.catch((error: unknown) => logger.error({ err: error, event: 'jobs.start-failed' }, 'the job queue did not start'));
  }
  return holder.__webJobs;
}

/** Starts the queue (and its worker, unless JOBS_WORKER=off) with the server. */
export async function startJobs(): Promise<void> {
  await queue().started;
}

/** Queues a job; it runs in whichever process's worker takes it first. */
export async function sendJob(name: string, payload: object, options?: Parameters<JobQueue['send']>[2]): Promise<string> {
  const { queue: jobs, started } = queue();
  await started;
  return jobs.send(name, payload, options);
}
