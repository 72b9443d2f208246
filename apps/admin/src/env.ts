import path from 'node:path';
import {
  deploymentUrl,
  logLevelSetting,
  nodeEnvSetting,
  parseEnv,
  passwordSetting,
  placementSetting,
  poolerSetting,
  primaryNameDistinct,
  primaryNameSetting,
  secretSetting,
  sessionIdleSetting,
  sessionLifetimeConsistent,
  serversSetting,
  sessionMaxAgeSetting,
  signInFailuresPerAccountSetting,
  signInFailuresPerAddressSetting,
  signInWindowSetting,
  trustProxySetting,
} from '@repo/env';
import { z } from 'zod';

// The one place this app reads its configuration from process.env: everything else imports `env` or calls
// `serverEnv()`, so a missing or bad variable fails at start-up with its name, not later as `undefined` deep
// inside a request.
//
// Two groups: `env` (always valid, also during `next build`) and `serverEnv()` (the databases and the secrets).
// `next build` must work without a database or secrets, so the second group is validated when the server
// starts (instrumentation-node.ts, next.config.ts outside the build phase) and on first use, never at build.

const baseSchema = z.object({
  NODE_ENV: nodeEnvSetting,
  LOG_LEVEL: logLevelSetting,
});

const serverSchema = z
  .object({
    /** app_operator: every read of this app (catalog, sizes, connections, users, operators). Not the owner. */
    OPERATOR_DATABASE_URL: deploymentUrl,
    /** The owner connection: provisioning, deletion, migrations and the audit go through the tenancy library with it. */
    ADMIN_DATABASE_URL: deploymentUrl,
    /** app_user's connection: createTenancy's appUrl; the per-tenant row counts run through it, under RLS. May point at PgBouncer. */
    DATABASE_URL: deploymentUrl,
    /** How DATABASE_URL reaches PostgreSQL: `direct`, or PgBouncer in `pgbouncer-session` / `pgbouncer-transaction` mode. */
    TENANCY_POOLER: poolerSetting,
    /**
     * Password of PgBouncer's auth_query role (pgbouncer_auth). Needed with a PgBouncer: every database tenant this
     * app creates grants that role CONNECT, or PgBouncer could not log the tenant's role in to its database.
     */
    PGBOUNCER_AUTH_PASSWORD: passwordSetting.optional(),
    TENANCY_CONTEXT_SECRET: secretSetting('the HMAC key of the tenant context'),
    TENANCY_SECRETS_KEY: secretSetting("the key that encrypts database tenants' role passwords"),
    NEXTAUTH_SECRET: secretSetting('the key that signs session cookies'),
    /** Public URL of this app; optional: sign-in and sign-out here never follow next-auth's absolute redirects. */
    NEXTAUTH_URL: z.url({ error: 'must be an absolute URL such as https://admin.example.com' }).optional(),
    /**
     * How many reverse proxies in front of this app append to X-Forwarded-For and set X-Forwarded-Proto (0, the default:
     * none; the client's address is the socket's and those headers are ignored). Read for the sign-in limits' address and
     * for HSTS. Set it only when every request comes through those proxies: a client reaching the app directly could
     * otherwise claim any address.
     */
    TRUST_PROXY: trustProxySetting,
    /**
     * Sign-in limits (src/server/auth/sign-in-limits.ts): failed attempts counted per account and per client address in
     * PostgreSQL; over either limit, sign-in answers 429 until the window (from the first counted failure) has passed.
     */
    SIGN_IN_WINDOW_SECONDS: signInWindowSetting,
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: signInFailuresPerAccountSetting,
    SIGN_IN_MAX_FAILURES_PER_ADDRESS: signInFailuresPerAddressSetting,
    /**
     * Sessions (src/server/auth/sessions.ts): checked in the database on every request, ended after this long without a
     * request, and this long after sign-in whatever happens.
     */
    SESSION_IDLE_SECONDS: sessionIdleSetting,
    SESSION_MAX_AGE_SECONDS: sessionMaxAgeSetting,
    /**
     * Where deleteTenant writes the archive (.tar.gz) of a tenant's rows before deleting it. Required in production: a
     * default there would sit inside the build output (.next/standalone), which the next build wipes.
     */
    ARCHIVE_DIR: z.string().min(1).optional(),
    /**
     * The tenant-table migrations (drizzle-kit output of @repo/db) that provisioning and migrate all apply. Next runs the
     * app in apps/admin (dev, start) or in its standalone copy (.next/standalone/apps/admin, which carries the folder:
     * next.config's outputFileTracingIncludes), so by default it is two levels up from the working directory either way.
     */
    TENANT_MIGRATIONS_DIR: z
      .string()
      .min(1)
      .default(path.resolve('..', '..', 'packages', 'db', 'migrations', 'tenant')),
    /** Cap on server connections across this process's per-tenant (database strategy) pools. */
    TENANCY_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(20),
    /**
     * The deployment's other PostgreSQL servers, a JSON array of { name, adminUrl, appUrl, maxConnections?, sharedTables? }; unset, every
     * tenant lives on the primary (the server of ADMIN_DATABASE_URL / DATABASE_URL, named TENANCY_PRIMARY_NAME).
     */
    TENANCY_SERVERS: serversSetting,
    TENANCY_PRIMARY_NAME: primaryNameSetting,
    /** Where a new tenant that names no server goes: `fewest-tenants` or `least-bytes`. */
    TENANCY_PLACEMENT: placementSetting,
  })
  .refine(primaryNameDistinct, {
    path: ['TENANCY_PRIMARY_NAME'],
    message: 'must not also be the name of one of TENANCY_SERVERS (the primary is the server of ADMIN_DATABASE_URL / DATABASE_URL)',
  })
  .refine((value) => value.TENANCY_POOLER === 'direct' || value.PGBOUNCER_AUTH_PASSWORD !== undefined, {
    path: ['PGBOUNCER_AUTH_PASSWORD'],
    message: 'is required when TENANCY_POOLER is a PgBouncer mode (database tenants created here must be reachable through it)',
  })
  .refine(sessionLifetimeConsistent, {
    path: ['SESSION_IDLE_SECONDS'],
    message: 'must not be longer than SESSION_MAX_AGE_SECONDS',
  })
  .refine((value) => value.ARCHIVE_DIR !== undefined || env.NODE_ENV !== 'production', {
    path: ['ARCHIVE_DIR'],
    message: "is required in production: the directory that keeps deleted tenants' archives, outside the build output",
  })
  // In development the archives go beside the dev database, in the repository's .data/ (apps/admin is two levels down).
  .transform((value) => ({ ...value, ARCHIVE_DIR: value.ARCHIVE_DIR ?? path.resolve('..', '..', '.data', 'archives') }));

export type Env = z.infer<typeof baseSchema>;
export type ServerEnv = z.infer<typeof serverSchema>;

export const env: Env = parseEnv(baseSchema, process.env);

let server: ServerEnv | undefined;

/** The databases and secrets; throws naming every missing or bad variable. Validated once, then cached. */
export function serverEnv(): ServerEnv {
  server ??= parseEnv(serverSchema, process.env);
  return server;
}
