import { defineConfig } from 'drizzle-kit';

// Control plane: applied once, to the deployment's database.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/control.ts',
  out: './migrations/control',
});
