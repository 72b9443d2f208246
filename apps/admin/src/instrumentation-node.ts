// The standalone server.js never loads next.config.ts, so the environment is validated here at start-up.
// Next only logs an error thrown from register() and then answers every request with a 500, so exit
// instead: a crash at start is what a container supervisor sees and reports.
// The build may load this file too (NEXT_PHASE is set then): it must work without the server's variables.
// Before the first request is handled: the sign-in limits count the socket's address unless a proxy is trusted.
const { stampSocketAddresses } = await import('@repo/auth/socket-address');
stampSocketAddresses();

try {
  const { serverEnv } = await import('@/env');
  if (process.env.NEXT_PHASE !== 'phase-production-build') serverEnv();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

const { logger } = await import('@/lib/logger');
logger.info('environment valid, server starting');
