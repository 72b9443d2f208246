import { defineConfig } from 'drizzle-kit';

// Tenant tables: applied by @repo/tenancy to the shared schema, every tenant schema and every tenant database.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/tenant.ts',
  out: './migrations/tenant',
  entities: { roles: false },
});
