export { startPgBouncer, type PgBouncer, type PgBouncerRuntime, type StartPgBouncerOptions } from './process';
export { pgbouncerAvailable, requirePgBouncer, assertPgBouncerBinary, pgbouncerPath, DEFAULT_PGBOUNCER_PATH, type PgBouncerAvailability } from './binary';
export { PgBouncerNotFoundError, PgBouncerStartError } from './errors';
