import { createRequire } from 'node:module';
import PgBoss from 'pg-boss';
import type pg from 'pg';

/** pg-boss's schema: the job queue's tables, in the deployment's database. */
export const QUEUE_SCHEMA = 'pgboss';

/**
 * The role that owns the queue and runs it: app_auth, the web's account role (sign-in, sessions, sign-up tokens), which
 * tenant requests never use. Job payloads name users and addresses; app_user, whose SQL is assumed hostile, has no
 * right on the queue's schema or tables (packages/jobs/test/queue.test.ts checks).
 */
export const QUEUE_ROLE = 'app_auth';

/**
 * Installs or upgrades pg-boss's schema from the owner connection, as the queue's role: the role then owns every table
 * and function pg-boss made and may create the per-queue partitions it adds at run time, but needs no CREATE on the
 * database (CREATE SCHEMA checks that even when the schema exists). Safe to run on every start.
 */
export async function installJobQueue(admin: pg.ClientBase): Promise<void> {
  const { rows } = await admin.query<{ format: string }>(`SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', $1::text, $2::text)`, [
    QUEUE_SCHEMA,
    QUEUE_ROLE,
  ]);
  await admin.query(rows[0]!.format);
  const { rows: found } = await admin.query<{ installed: boolean }>('SELECT to_regclass($1) IS NOT NULL AS installed', [`${QUEUE_SCHEMA}.version`]);
  let plans: string | null = withoutCreateSchema(PgBoss.getConstructionPlans(QUEUE_SCHEMA));
  if (found[0]!.installed) {
    const { rows: versions } = await admin.query<{ version: number }>(`SELECT version FROM ${QUEUE_SCHEMA}.version`);
    const version = versions[0]!.version;
    // pg-boss types the version as a string; its migration store compares it with numbers.
    plans = version < CURRENT_VERSION ? PgBoss.getMigrationPlans(QUEUE_SCHEMA, version as unknown as string) : null;
  }
  if (!plans) return;
  // pg-boss's plans create plpgsql functions, and setup() takes plpgsql from PUBLIC: the queue's role may use it only
  // while its schema is installed.
  const { rows: language } = await admin.query<{ usable: boolean }>(`SELECT has_language_privilege($1, 'plpgsql', 'USAGE') AS usable`, [QUEUE_ROLE]);
  const lend = !language[0]!.usable;
  if (lend) await admin.query(`GRANT USAGE ON LANGUAGE plpgsql TO ${QUEUE_ROLE}`);
  await admin.query(`SET ROLE ${QUEUE_ROLE}`);
  try {
    await admin.query(plans);
    // pg-boss's functions are created executable by PUBLIC; the queue's role owns them and is the only one that runs them.
    await admin.query(`REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA ${QUEUE_SCHEMA} FROM PUBLIC`);
  } catch (error) {
    await admin.query('ROLLBACK');
    throw error;
  } finally {
    await admin.query('RESET ROLE');
    if (lend) await admin.query(`REVOKE USAGE ON LANGUAGE plpgsql FROM ${QUEUE_ROLE}`);
  }
}

/** The schema exists already (made above, owned by the queue's role), and creating it again would need CREATE on the database. */
function withoutCreateSchema(plans: string): string {
  const statement = /CREATE SCHEMA IF NOT EXISTS pgboss\s*;/;
  if (!statement.test(plans)) throw new Error("pg-boss's construction plans changed: review installJobQueue()");
  return plans.replace(statement, '');
}

/** The schema version this pg-boss installs (its version.json); it ships migrations from every older one. */
const CURRENT_VERSION = (createRequire(import.meta.url)('pg-boss/version.json') as { schema: number }).schema;
