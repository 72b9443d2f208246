import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import {
  deploymentUrl,
  parseEnv,
  passwordSetting,
  placementSetting,
  poolerSetting,
  primaryNameDistinct,
  primaryNameSetting,
  secretSetting,
  serversSetting,
} from '@repo/env';
import { z } from 'zod';
import { UsageError } from './exit-codes';

// The one place the CLI reads its configuration: the admin app's variables (apps/admin/src/env.ts), under the same
// names and rules (@repo/env), so the CLI builds the same deployment the admin app does. Read only by the commands
// that need them: `--help` and `pgbouncer-config` work without a database.

const deploymentSchema = z
  .object({
    /** The owner connection: setup, provisioning, deletion, migrations, the audit. Direct to PostgreSQL. */
    ADMIN_DATABASE_URL: deploymentUrl,
    /** app_user's connection (createTenancy's appUrl); may point at PgBouncer. */
    DATABASE_URL: deploymentUrl,
    /** app_operator's connection: when set, `setup` creates the role and gives it this password, as the admin's deployment does. */
    OPERATOR_DATABASE_URL: deploymentUrl.optional(),
    TENANCY_POOLER: poolerSetting,
    PGBOUNCER_AUTH_PASSWORD: passwordSetting.optional(),
    TENANCY_CONTEXT_SECRET: secretSetting('the HMAC key of the tenant context'),
    TENANCY_SECRETS_KEY: secretSetting("the key that encrypts database tenants' role passwords"),
    /** The tenant-table migrations; by default @repo/db's own folder. */
    TENANT_MIGRATIONS_DIR: z.string().min(1).default(TENANT_MIGRATIONS_FOLDER),
    TENANCY_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(20),
    /** Where `delete` writes archives when --archive is not given. */
    ARCHIVE_DIR: z.string().min(1).optional(),
    /** The deployment's other servers: a JSON array of { name, adminUrl, appUrl, maxConnections? }. */
    TENANCY_SERVERS: serversSetting,
    TENANCY_PRIMARY_NAME: primaryNameSetting,
    TENANCY_PLACEMENT: placementSetting,
  })
  .refine(primaryNameDistinct, {
    path: ['TENANCY_PRIMARY_NAME'],
    message: 'must not also be the name of one of TENANCY_SERVERS (the primary is the server of ADMIN_DATABASE_URL / DATABASE_URL)',
  })
  .refine((value) => value.TENANCY_POOLER === 'direct' || value.PGBOUNCER_AUTH_PASSWORD !== undefined, {
    path: ['PGBOUNCER_AUTH_PASSWORD'],
    message: 'is required when TENANCY_POOLER is a PgBouncer mode (database tenants created here must be reachable through it)',
  });

/** What `pgbouncer-config` reads: defaults for the generator, all optional. */
const pgbouncerSchema = z.object({
  /** The server PgBouncer routes to: its host and port are the defaults of --server-host and --server-port. */
  ADMIN_DATABASE_URL: deploymentUrl.optional(),
  /** A PgBouncer mode here is the default of --pool-mode. */
  TENANCY_POOLER: poolerSetting,
  /** The auth role's password: needed only to write the auth file (--userlist). */
  PGBOUNCER_AUTH_PASSWORD: passwordSetting.optional(),
});

export type DeploymentEnv = z.infer<typeof deploymentSchema>;
export type PgBouncerEnv = z.infer<typeof pgbouncerSchema>;

export function readDeploymentEnv(source: NodeJS.ProcessEnv): DeploymentEnv {
  return read(deploymentSchema, source);
}

export function readPgBouncerEnv(source: NodeJS.ProcessEnv): PgBouncerEnv {
  return read(pgbouncerSchema, source);
}

/** parseEnv names every missing or bad variable without echoing a value; here that is a usage error (exit 2). */
function read<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.infer<S> {
  try {
    return parseEnv(schema, source);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see \`tenancy --help\` for the variables)`);
  }
}
