export { createTenancy } from './tenancy.js';
export type { Tenancy, TenantTx, ContextOptions, DeleteOptions, MigrateProgress } from './tenancy.js';
export type { TenancyConfig, TenancyConfigInput } from './config.js';
export type { Tenant, StrategyName, TenantStatus } from './catalog/types.js';
export { STRATEGIES } from './catalog/types.js';
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
