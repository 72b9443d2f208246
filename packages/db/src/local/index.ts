// The local stack: what `npm run dev` (tooling/dev) and the e2e suites and benchmarks start, an embedded PostgreSQL
// with init.sql applied and the dev hook run.
export { startLocalStack, type LocalStack } from './stack';
export { loadDevConfig, devUrls, appEnvironment, DEV_DATABASE, type DevConfig, type DevUrls } from './config';
export { afterDatabaseReady } from './hooks';
export { applyInitSqlOnce, type InitOutcome } from './init-sql-once';
export { devPaths, type DevPaths } from './paths';
export { DevError } from './errors';
export { startLocalPgBouncer, type LocalPgBouncer, type LocalPgBouncerOptions, type LocalPgBouncerSettings } from './pgbouncer';
