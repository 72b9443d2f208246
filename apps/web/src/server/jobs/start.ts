import 'server-only';

import { startJobs } from './queue';

/** What the server's start-up (instrumentation-node.ts) calls: the queue, and its worker unless JOBS_WORKER=off. */
export async function startJobWorker(): Promise<void> {
  await startJobs();
}
