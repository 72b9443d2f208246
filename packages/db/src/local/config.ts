import { z } from 'zod';
import { DEV_RUNNER_DEFAULTS, INIT_SQL_DEFAULTS } from '../published-secrets';
import { DevError } from './errors';

// Dev-only values (published, so production refuses them): the context secret is the one init.sql was generated
// with, so the key in the database and the apps' key agree without a re-key on the first start.

const schema = z.object({
  DEV_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  DEV_PGBOUNCER_PORT: z.coerce.number().int().min(1024).max(65535).default(54330),
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_RUNNER_DEFAULTS.NEXTAUTH_SECRET),
  TENANCY_CONTEXT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (generate one with `openssl rand -hex 32`)')
    .default(DEV_RUNNER_DEFAULTS.TENANCY_CONTEXT_SECRET),
  TENANCY_SECRETS_KEY: z.string().min(32, 'must be at least 32 characters').default(DEV_RUNNER_DEFAULTS.TENANCY_SECRETS_KEY),
});

export type DevConfig = z.infer<typeof schema>;

/** The connections the apps get: one per role, all to the `saas` database. */
export interface DevUrls {
  /** app_user: serves tenant requests under RLS (DATABASE_URL). */
  databaseUrl: string;
  /** The superuser: DDL, provisioning, migrations (ADMIN_DATABASE_URL). */
  adminDatabaseUrl: string;
  /** app_operator: the admin app's cross-tenant role (OPERATOR_DATABASE_URL). */
  operatorDatabaseUrl: string;
  /** app_auth: the web app's sign-in and membership lookups, nothing else (AUTH_DATABASE_URL). */
  authDatabaseUrl: string;
}

export const DEV_DATABASE = 'saas';

export function loadDevConfig(source: NodeJS.ProcessEnv): DevConfig {
  // `VAR=` (e.g. from a .env file) means "not set", not "set to an invalid empty value".
  const input = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // Name the variable, never echo its value: some of them are secrets.
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} is invalid: ${issue.message}`);
  throw new DevError(`Invalid environment for npm run dev: ${problems.join('; ')}.`);
}

export function devUrls(superuserUrl: (db: string) => string): DevUrls {
  const admin = superuserUrl(DEV_DATABASE);
  return {
    databaseUrl: asRole(admin, 'app_user', INIT_SQL_DEFAULTS.appPassword),
    adminDatabaseUrl: admin,
    operatorDatabaseUrl: asRole(admin, 'app_operator', INIT_SQL_DEFAULTS.operatorPassword),
    authDatabaseUrl: asRole(admin, 'app_auth', INIT_SQL_DEFAULTS.authPassword),
  };
}

function asRole(url: string, role: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = password;
  return parsed.toString();
}

/** What the apps' processes see on top of the runner's own environment. */
export function appEnvironment(config: DevConfig, urls: DevUrls): Record<string, string> {
  return {
    DATABASE_URL: urls.databaseUrl,
    ADMIN_DATABASE_URL: urls.adminDatabaseUrl,
    OPERATOR_DATABASE_URL: urls.operatorDatabaseUrl,
    AUTH_DATABASE_URL: urls.authDatabaseUrl,
    NEXTAUTH_SECRET: config.NEXTAUTH_SECRET,
    TENANCY_CONTEXT_SECRET: config.TENANCY_CONTEXT_SECRET,
    TENANCY_SECRETS_KEY: config.TENANCY_SECRETS_KEY,
    TURBO_TELEMETRY_DISABLED: '1',
    // Otherwise next dev spawns a detached telemetry flush on every stop, outliving the run.
    NEXT_TELEMETRY_DISABLED: '1',
  };
}
