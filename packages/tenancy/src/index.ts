export { createTenancy } from './tenancy';
export type {
  Tenancy,
  TenantTx,
  ContextOptions,
  DeleteOptions,
  ExportOptions,
  ExportSummary,
  ImportOptions,
  ArchiveManifest,
  ArchiveTable,
  TenantInput,
  MoveOptions,
  MoveProgress,
  MoveStep,
  MoveSummary,
  MoveTarget,
  MigrateProgress,
  MigrateOptions,
  MigrateSummary,
  MigrateFailure,
} from './tenancy';
export type { PoolStats, TenantPoolStats } from './pools/tenant-pools';
export { EnvSecretsProvider, FileSecretsProvider, DatabaseSecretsProvider, type DatabaseSecretsOptions } from './secrets/index';
export type { TenancyConfig, TenancyConfigInput, ServerConfig, PlacementCandidate, PlacementPolicy } from './config';
export type { Tenant, StrategyName, TenantStatus, ServerState } from './catalog/types';
export { STRATEGIES, TENANT_STATUSES, SERVER_STATES } from './catalog/types';
export type { ServerInfo } from './servers/commands';
export { SLUG_PATTERN, SLUG_RULE_TEXT } from './slug';
export type { SecretsProvider } from './secrets/provider';
export { ARCHIVE_FORMAT } from './archive/manifest';
export {
  TenancyError,
  TenantNotFoundError,
  InvalidTenantSlugError,
  TenantExistsError,
  StrategyNotSupportedError,
  TenantContextError,
  TenantNotActiveError,
  TenantPlacementMissingError,
  TenancyConfigError,
  MigrationError,
  ArchiveError,
  UnknownServerError,
  ServerUnavailableError,
  ServerNotOpenError,
  ConnectionWaitTimeoutError,
} from './errors';
export type { AuditReport, Finding, Severity } from './audit/types';
export { PgBouncerLoginError } from './pgbouncer/login-error';
