export * from './schema/index';
export { createAppTenancy, type AppTenancy } from './tenancy';
export { TENANT_MIGRATIONS_FOLDER, CONTROL_MIGRATIONS_FOLDER } from './migrations';
