export { startPgBouncer, type PgBouncer, type PgBouncerRuntime, type StartPgBouncerOptions } from './process.js';
export { pgbouncerAvailable, requirePgBouncer, assertPgBouncerBinary, pgbouncerPath, DEFAULT_PGBOUNCER_PATH, type PgBouncerAvailability } from './binary.js';
export { PgBouncerNotFoundError, PgBouncerStartError } from './errors.js';
