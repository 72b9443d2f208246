import 'server-only';

import pino from 'pino';

import { env } from '@/env';

// Plain JSON to stdout: pino transports spawn worker threads that do not survive bundling or the standalone trace.
export const logger = pino({
  level: env.LOG_LEVEL ?? (env.NODE_ENV === 'production' ? 'info' : 'debug'),
  base: { app: 'admin' },
});
