export * from './schema/index.js';
export { createAppTenancy, TENANT_MIGRATIONS_FOLDER, CONTROL_MIGRATIONS_FOLDER, type AppTenancy } from './tenancy.js';
