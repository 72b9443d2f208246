export { createTenancy } from './tenancy.js';
export type { Tenancy, TenantTx, ContextOptions, DeleteOptions, MigrateProgress, MigrateOptions, MigrateSummary } from './tenancy.js';
export type { PoolStats, TenantPoolStats } from './pools/tenant-pools.js';
export { EnvSecretsProvider, FileSecretsProvider, DatabaseSecretsProvider, type DatabaseSecretsOptions } from './secrets/index.js';
export type { TenancyConfig, TenancyConfigInput } from './config.js';
export type { Tenant, StrategyName, TenantStatus } from './catalog/types.js';
export { STRATEGIES } from './catalog/types.js';
export { SLUG_PATTERN, SLUG_RULE_TEXT } from './slug.js';
export type { SecretsProvider } from './secrets/provider.js';
export type { TenantArchive } from './archive/write.js';
export {
  TenancyError,
  TenantNotFoundError,
  InvalidTenantSlugError,
  TenantExistsError,
  StrategyNotSupportedError,
  TenantContextError,
  TenantNotActiveError,
  TenancyConfigError,
  MigrationError,
} from './errors.js';
export type { AuditReport, Finding, Severity } from './audit/types.js';
export { PgBouncerLoginError } from './pgbouncer/login-error.js';
