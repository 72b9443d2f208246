import 'server-only';

import pino from 'pino';

import { env } from '@/env';

// Plain JSON to stdout: pino transports spawn worker threads that do not survive bundling or the standalone trace.
export const logger = pino({
  level: env.LOG_LEVEL ?? (env.NODE_ENV === 'production' ? 'info' : 'debug'),
  base: { app: 'web' },
  // A failed query's parameters are what a user typed (names, comments): the SQL and the SQLSTATE say enough.
  redact: { paths: ['err.params', 'err.cause.params'], censor: '[redacted]' },
});
