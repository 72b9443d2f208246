// The standalone server.js never loads next.config.ts, so the environment is validated here at start-up.
// Next only logs an error thrown from register() and then answers every request with a 500, so exit
// instead: a crash at start is what a container supervisor sees and reports.
export async function start(): Promise<void> {
  // Before the first request is handled: the sign-in limits count the socket's address unless a proxy is trusted.
  const { stampSocketAddresses } = await import('@repo/auth/socket-address');
  stampSocketAddresses();
  try {
    const { serverEnv } = await import('@/env');
    serverEnv();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const { logger } = await import('@/lib/logger');
  logger.info('environment valid, server starting');
  // The job queue's worker runs in this process (unless JOBS_WORKER=off): mail goes out with `npm run dev` alone.
  const { startJobWorker } = await import('@/server/jobs/start');
  // A failure is logged by the queue itself; requests that queue a job wait for it or fail with it.
  startJobWorker().catch(() => undefined);
}
