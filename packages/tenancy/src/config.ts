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

/** A server's name: what the catalog records for each tenant (never a URL, which holds a password). */
export const SERVER_NAME = /^[a-z][a-z0-9_]{0,30}$/;
const serverName = z.string().regex(SERVER_NAME, 'must be a lowercase name of at most 31 characters (letters, digits, _; a letter first)');

/** Another PostgreSQL server: for schema and database tenants, and rls tenants when it holds a shard of the shared tables. */
const server = z.object({
  name: serverName,
  /** Owner connection to the server's database for this deployment (direct, not through a pooler); optional for processes that only serve tenants. */
  adminUrl: postgresUrl.optional(),
  /** app_user connection to the same database; may point at this server's PgBouncer. */
  appUrl: postgresUrl,
  /** The pooler in front of appUrl; the deployment's `pooler` when omitted. */
  pooler: pooler.optional(),
  /** Cap on this server's connections across its per-tenant pools; the deployment's `maxConnections` when omitted. */
  maxConnections: z.number().int().min(1).optional(),
  /**
   * The server holds a shard of the shared tables: setup() and migrate() make and migrate them in its database, the
   * audit checks them, and rls tenants can be placed there. Its rls tenants' rows live there alone; the catalog and
   * the control plane stay on the primary.
   */
  sharedTables: z.boolean().default(false),
});

export type ServerConfig = z.output<typeof server>;

/** A server the placement policy may choose, with what it knows of it. */
export interface PlacementCandidate {
  name: string;
  /** Tenants the catalog places there, of every status. */
  tenants: number;
}

/** Picks the server for a new tenant among the open servers that can hold it (never an empty list). */
export type PlacementPolicy = (candidates: readonly PlacementCandidate[], tenant: { slug: string; strategy: string }) => string | Promise<string>;

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
  /** The name the catalog and the API give the server of adminUrl/appUrl: the primary (the catalog, the first shared tables). */
  primaryName: serverName.default('primary'),
  /**
   * Other servers for schema and database tenants, and for rls tenants on those with `sharedTables` (otherwise rls
   * tenants live in the primary's shared tables). Omitted, every tenant lives on the primary, as before. Each runs
   * setup()'s objects in its own database.
   */
  servers: z.array(server).default([]),
  /**
   * Where createTenant places a tenant that names no server: on the open server with the fewest tenants
   * ('fewest-tenants', ties to the primary, then the order of `servers`), the fewest bytes ('least-bytes': the size of
   * its databases), or a function of your own; both built-in policies skip a server that does not answer. rls tenants
   * choose among the servers with shared tables (just the primary, unless shards are configured). A drained or
   * read-only server gets no new tenants.
   */
  placement: z
    .union([
      z.enum(['fewest-tenants', 'least-bytes']),
      z.custom<PlacementPolicy>((value) => typeof value === 'function', "must be 'fewest-tenants', 'least-bytes' or a function"),
    ])
    .default('fewest-tenants'),
  /**
   * How long a request may wait for a connection (a new one, or a pool's free one) before it fails; a server that
   * cannot be reached is ServerUnavailableError, one whose connections (its maxConnections, the tenant's perTenantPoolSize) all
   * stay in use is ConnectionWaitTimeoutError. 0, the default: no limit (a stopped server still fails at once).
   */
  connectTimeoutMs: z.number().int().min(0).default(0),
  /** Cap on server connections across all per-tenant (database strategy) pools (per server). */
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
  /**
   * How many tenants' catalog entries a process keeps; the least recently used one makes room. Each
   * holds about 1.5 KB of heap (BENCHMARKS.md, section 11.1), and a dropped one costs one lookup when next
   * served: size it to the tenants a process serves within a few catalogCacheMs, not to the whole catalog.
   */
  catalogCacheSize: z.number().int().min(1).default(10_000),
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

const checkedConfig = tenancyConfigSchema.superRefine((config, ctx) => {
  const names = [config.primaryName, ...config.servers.map((s) => s.name)];
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i)
      ctx.addIssue({ code: 'custom', path: i === 0 ? ['primaryName'] : ['servers', i - 1, 'name'], message: `names server "${name}" twice` });
  });
});

export function parseConfig(input: unknown): TenancyConfig {
  const parsed = checkedConfig.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(config)'}: ${issue.message}`);
  throw new TenancyConfigError(`Invalid tenancy config:\n${lines.join('\n')}`);
}
