import { existsSync } from 'node:fs';
import type pg from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import { z } from 'zod';
import { ROLE_PATTERN as CONTEXT_ROLE } from './context/token';
import { TenancyConfigError } from './errors';
import type { SecretsProvider } from './secrets/provider';

const postgresUrl = z
  .string({ error: 'is required: a postgres:// connection URL' })
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// connection URL')
  // Read now the way the driver reads it at the first connection, so a URL it cannot read fails here (the message leaves the URL out: it may hold a password).
  .refine(readable, 'is not a connection URL the driver can read (check the host, the port and any %-escapes)');

function readable(url: string): boolean {
  try {
    parseConnectionString(url);
    return true;
  } catch {
    return false;
  }
}

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,30}$/, 'must be a lowercase SQL identifier (letters, digits, _; at most 31 characters)');

const pooler = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('direct') }),
  z.object({
    kind: z.literal('pgbouncer'),
    mode: z.enum(['session', 'transaction']),
    /**
     * PgBouncer's auth_query role. With a password, setup() and provisioning install the lookup
     * function in the deployment's database and in the tenant-database template (needs a superuser
     * adminUrl), so every tenant role logs in through PgBouncer without editing userlist.txt.
     */
    authUser: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .default('pgbouncer_auth'),
    authPassword: z.string().min(8).optional(),
  }),
]);

const secretsProvider = z.custom<SecretsProvider>(
  (value) => typeof value === 'object' && value !== null && 'get' in value && 'set' in value && 'delete' in value,
  'must be a SecretsProvider (an object with get, set and delete)',
);

export const tenancyConfigSchema = z.object({
  /** Owner connection for DDL, provisioning and migrations; optional for processes that only serve tenants. */
  adminUrl: postgresUrl.optional(),
  appUrl: postgresUrl.describe('app_user connection; may point at PgBouncer'),
  /** The admin app's runtime role (cross-tenant reporting); setup() creates it when given. */
  operatorUrl: postgresUrl.optional(),
  pooler: pooler.default({ kind: 'direct' }),
  contextSecret: z
    .string({ error: 'is required: the HMAC key for tenant context tokens' })
    .min(32, 'must be at least 32 characters (generate one with `openssl rand -hex 32`)'),
  secrets: secretsProvider.optional(),
  /** Tenant-table migrations (drizzle-kit output); needed by setup, provisioning and migrate, not to serve requests. */
  migrationsFolder: z
    .string()
    .refine((dir) => existsSync(dir), 'does not exist')
    .optional(),
  /**
   * The roles of the app's own vocabulary that the library signs into a context, which the app's policies must
   * know: `maintenance` for the library's own work inside a tenant (deleting an rls tenant's rows, migrations),
   * `default` for a queryAs call that names none. The library has no roles of its own.
   */
  contextRoles: z.object(
    {
      maintenance: z.string().regex(CONTEXT_ROLE, 'must be a lowercase word of at most 32 characters, as in a context token'),
      default: z.string().regex(CONTEXT_ROLE, 'must be a lowercase word of at most 32 characters, as in a context token'),
    },
    { error: "is required: { maintenance, default }, the app's roles the library signs for its own work and for a queryAs without one" },
  ),
  /** Tenant tables, children before parents: the order rows are deleted in when an rls tenant is removed. */
  tenantTables: z.array(identifier).min(1, 'must list at least one tenant table'),
  /** Cap on server connections across all per-tenant (database strategy) pools. */
  maxConnections: z.number().int().min(1).default(20),
  /** Connections one database tenant's pool may hold. */
  perTenantPoolSize: z.number().int().min(1).default(2),
  appPoolSize: z.number().int().min(1).default(10),
  sharedSchema: identifier.default('public'),
  /** Prefix of tenant schemas, databases and roles; lets several deployments (or test suites) share one cluster. */
  namePrefix: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,14}$/, 'must be a lowercase SQL identifier of at most 15 characters (prefix + 48-character slug fits in 63)')
    .default('t_'),
  contextTtlSeconds: z.number().int().min(10).max(86_400).default(300),
  /**
   * How long a process trusts its cached catalog entry. A lifecycle change (delete, move) waits
   * this long after marking the tenant, so no process still serves it when its data goes.
   */
  catalogCacheMs: z.number().int().min(0).default(5000),
  idleTimeoutMs: z.number().int().min(100).default(30_000),
  /**
   * How long a request waits for a moving tenant's pause to end (see moveTenant) before it fails
   * with TenantNotActiveError; and how long a move waits for older transactions before it gives up.
   */
  movePauseLimitMs: z.number().int().min(100).default(30_000),
  /**
   * Called before every lifecycle step (e.g. "schema.placement"); a throw aborts the step. For
   * instrumentation, and for tests that crash provisioning at each step.
   */
  beforeStep: z.custom<(step: string, tenant: { slug: string }) => void | Promise<void>>((value) => typeof value === 'function').optional(),
  /** pg.Client subclass for every pool, for instrumentation (tracing, recording init.sql). */
  clientClass: z.custom<typeof pg.Client>((value) => typeof value === 'function', 'must be a pg.Client subclass').optional(),
});

export type TenancyConfigInput = z.input<typeof tenancyConfigSchema>;
export type TenancyConfig = z.output<typeof tenancyConfigSchema>;

export function parseConfig(input: unknown): TenancyConfig {
  const parsed = tenancyConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(config)'}: ${issue.message}`);
  throw new TenancyConfigError(`Invalid tenancy config:\n${lines.join('\n')}`);
}
