/**
 * The compose `setup` service (a one-shot container built from apps/admin/Dockerfile's `setup` stage): what
 * `npm run dev` does after init.sql (packages/db/src/local/hooks.ts), for the Docker stack. The apps start only
 * after it exits 0, and it runs again on every `docker compose up`, so every step is idempotent:
 *
 * 1. The runtime roles are checked (init.sql creates them with dev passwords; setup() gives them the ones in .env).
 * 2. prepareDatabase(): tenancy.setup() (re-keys the tenant context when TENANCY_CONTEXT_SECRET differs from the
 *    dev key init.sql carries), app_auth's password from AUTH_DATABASE_URL (as a SCRAM verifier, only when it
 *    differs) and the control-plane migrations.
 * 3. The seeded database tenants (umbrella), which init.sql cannot create: they live in databases of their own.
 * 4. The operators: any whose password is published (the dev operator of an older init.sql) is removed; when no
 *    operator is left (init.sql has none), the first one is created from FIRST_OPERATOR_EMAIL and
 *    FIRST_OPERATOR_PASSWORD, or with a generated password that is printed here, once.
 *
 * The tenancy is configured for PgBouncer with the auth role's password, so provisioning installs PgBouncer's
 * lookup in the tenant-database template and grants the auth role CONNECT on each tenant database: the apps reach
 * database tenants through PgBouncer without a config edit.
 *
 * Run outside Docker by the parity tests (infra/tests), with the same environment compose gives it.
 */
import pg from 'pg';
import { z } from 'zod';
import { withClient } from '@repo/db/client';
import { prepareDatabase } from '@repo/db/prepare';
import { deploymentSecrets } from '@repo/db/secrets';
import { seedDatabaseTenants } from '@repo/db/seed';
import { ensureFirstOperator, FIRST_OPERATOR_DEFAULT_EMAIL, removePublishedPasswordOperators } from '@repo/db/operators';
import { POOLER_SETTINGS, poolerFromSetting } from '@repo/tenancy/pgbouncer';

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// connection URL');
const secret = z.string().min(32, 'must be at least 32 characters');

const envSchema = z.object({
  /** The superuser, direct to PostgreSQL: DDL, provisioning, role passwords. */
  ADMIN_DATABASE_URL: postgresUrl,
  /** app_user through PgBouncer, as the apps use it. */
  DATABASE_URL: postgresUrl,
  OPERATOR_DATABASE_URL: postgresUrl,
  /** app_auth, the web's sign-in lookups: prepareDatabase() gives the role this URL's password. */
  AUTH_DATABASE_URL: postgresUrl,
  TENANCY_POOLER: z.enum(POOLER_SETTINGS).default('pgbouncer-transaction'),
  TENANCY_CONTEXT_SECRET: secret,
  TENANCY_SECRETS_KEY: secret,
  PGBOUNCER_AUTH_PASSWORD: z.string().min(8, 'must be at least 8 characters'),
  /** The first operator, created while there is no operator; checked by ensureFirstOperator (a valid address). */
  FIRST_OPERATOR_EMAIL: z.string().default(FIRST_OPERATOR_DEFAULT_EMAIL),
  /** Unset: a password is generated and printed once. At least 12 characters, and not a published one. */
  FIRST_OPERATOR_PASSWORD: z.string().optional(),
});

type SetupEnv = z.infer<typeof envSchema>;

function readEnv(source: NodeJS.ProcessEnv): SetupEnv {
  const input = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  // Name the variable, never echo its value: most are secrets.
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.')} ${input[String(issue.path[0])] === undefined ? 'is missing' : `is invalid: ${issue.message}`}`,
  );
  throw new Error(`Invalid environment for setup: ${problems.join('; ')}`);
}

/**
 * Checks the role of `url` before tenancy.setup() gives it the password in `url`. Refuses a superuser (this must
 * never change the password of the connection it runs on, and the apps must not run as one) and, for app_user's
 * URL, a BYPASSRLS role: tenant requests must be filtered by row-level security.
 */
async function checkRuntimeRole(admin: pg.Client, url: string, what: string, options: { allowBypassRls: boolean }): Promise<void> {
  const parsed = new URL(url);
  const role = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  if (!role || !password) throw new Error(`${what} must name a role and its password`);
  const { rows } = await admin.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
    'SELECT rolsuper, rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = $1',
    [role],
  );
  const found = rows[0];
  if (!found) throw new Error(`${what} names role "${role}", which does not exist (init.sql creates app_user and app_operator)`);
  if (found.rolsuper || (found.rolbypassrls && !options.allowBypassRls)) {
    throw new Error(`${what} names role "${role}", a superuser or BYPASSRLS role: use app_user / app_operator, never the owner`);
  }
  // The password itself is set by tenancy.setup() below, as a SCRAM verifier: no SQL text ever carries it.
}

async function setup(env: SetupEnv): Promise<void> {
  const started = Date.now();
  await withClient(env.ADMIN_DATABASE_URL, async (admin) => {
    await checkRuntimeRole(admin, env.DATABASE_URL, 'DATABASE_URL', { allowBypassRls: false });
    await checkRuntimeRole(admin, env.OPERATOR_DATABASE_URL, 'OPERATOR_DATABASE_URL', { allowBypassRls: true });
  });
  const secrets = deploymentSecrets(env.ADMIN_DATABASE_URL, env.TENANCY_SECRETS_KEY, env.TENANCY_CONTEXT_SECRET);
  const tenancy = await prepareDatabase({
    adminUrl: env.ADMIN_DATABASE_URL,
    appUrl: env.DATABASE_URL,
    operatorUrl: env.OPERATOR_DATABASE_URL,
    authUrl: env.AUTH_DATABASE_URL,
    contextSecret: env.TENANCY_CONTEXT_SECRET,
    tenancy: { secrets, pooler: poolerFromSetting(env.TENANCY_POOLER, env.PGBOUNCER_AUTH_PASSWORD) },
  });
  try {
    const created = await withClient(env.ADMIN_DATABASE_URL, (admin) => seedDatabaseTenants(tenancy, admin));
    console.log(`[setup] seeded database tenant(s): ${created.length ? created.join(', ') : 'none new'}`);
    await withClient(env.ADMIN_DATABASE_URL, (admin) => setupOperators(admin, env));
  } finally {
    await tenancy.close();
    await secrets.close();
  }
  console.log(`[setup] database ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * No operator with a published password, and one operator at least: the dev operator an older init.sql carried is
 * removed; the first operator is created while there is none. A generated password is printed here and nowhere
 * else (`docker compose logs setup` shows it until the container is removed).
 */
async function setupOperators(admin: pg.Client, env: SetupEnv): Promise<void> {
  const removed = await removePublishedPasswordOperators(admin);
  if (removed.length) console.log(`[setup] removed operator(s) with a published password: ${removed.join(', ')}`);
  const outcome = await ensureFirstOperator(admin, { email: env.FIRST_OPERATOR_EMAIL, password: env.FIRST_OPERATOR_PASSWORD });
  if (!outcome.created) {
    console.log(`[setup] operators: ${outcome.existing} (FIRST_OPERATOR_EMAIL and FIRST_OPERATOR_PASSWORD are read only while there is none)`);
  } else if (outcome.generatedPassword) {
    console.log(
      `[setup] created the first operator ${outcome.email} with a generated password, shown this once (sign in to the admin app with it and keep it safe):`,
    );
    console.log(`[setup]     ${outcome.generatedPassword}`);
  } else {
    console.log(
      `[setup] created the first operator ${outcome.email} with the password in FIRST_OPERATOR_PASSWORD (read only while there is no operator: you may remove it from .env now)`,
    );
  }
}

setup(readEnv(process.env)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[setup] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
