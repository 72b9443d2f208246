import pg from 'pg';
import { ROLES } from '../harness/database';

/**
 * The seeds' approaches (/work/shared/seeds), rebuilt as benchmark peers in a `seeds` schema of the
 * bench database. One pair of tables holds a copy of the product's rows; each seed's policy is
 * scoped `TO` the seed's own login role, so exactly one seed's policy applies to each peer's calls.
 *
 * Faithful to the seeds: the session-level SET, the unwrapped current_setting() policy, seed 003's
 * plpgsql function (EXCEPTION block, default volatility) and its join policy on tasks, seed 004's
 * pid-keyed table with a password-checked SECURITY DEFINER setter and a SECURITY DEFINER getter.
 * Adapted, and why:
 * - ids are uuids (the seeds use serial/integer ids) so every approach reads the very same rows;
 * - the tables have the product's columns, a primary key on id (as in the seeds) and the product's
 *   tenant-leading index, so a difference is the context mechanism, not a missing index; seed 003's
 *   own indexes (projects(tenant_id), tasks(project_id)) are there too;
 * - seed 003's tasks have no tenant_id: its policy ignores the column, which the bench keeps only
 *   to check rows;
 * - seed 002 shows SELECT policies only; its form is applied FOR ALL so its peer can insert too;
 * - seed 004's password hash uses pgcrypto's gen_salt('bf') (the seed does not say which).
 */

export const SEED_SCHEMA = 'seeds';
export const SEED_004_PASSWORD = 'seed-004-set-tenant-password';
/** Seed 004 resets with -1; the uuid counterpart. */
export const NIL_TENANT = '00000000-0000-0000-0000-000000000000';

export function seedDdl(database: string, newestOrder: string): string[] {
  const { setting, s003, s004 } = ROLES;
  return [
    `CREATE SCHEMA ${SEED_SCHEMA}`,
    `CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA ${SEED_SCHEMA}`,
    `CREATE TABLE seeds.projects (
       tenant_id uuid NOT NULL,
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       created_by uuid,
       created_at timestamptz NOT NULL DEFAULT now(),
       name text NOT NULL,
       description text,
       updated_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE seeds.tasks (
       tenant_id uuid,
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       created_by uuid,
       created_at timestamptz NOT NULL DEFAULT now(),
       project_id uuid NOT NULL REFERENCES seeds.projects (id),
       title text NOT NULL,
       status text NOT NULL DEFAULT 'todo',
       assignee_id uuid,
       due_date date,
       updated_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX seeds_projects_tenant_created_idx ON seeds.projects (tenant_id, created_at ${newestOrder})`,
    `CREATE INDEX seeds_tasks_tenant_created_idx ON seeds.tasks (tenant_id, created_at ${newestOrder})`,
    // Seed 003's own indexes.
    `CREATE INDEX idx_projects_tenant_id ON seeds.projects (tenant_id)`,
    `CREATE INDEX idx_tasks_project_id ON seeds.tasks (project_id)`,
    `ALTER TABLE seeds.projects ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE seeds.tasks ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE seeds.projects FORCE ROW LEVEL SECURITY`,
    `ALTER TABLE seeds.tasks FORCE ROW LEVEL SECURITY`,

    // Seeds 001 and 002: a session setting, read unwrapped by the policy.
    `CREATE POLICY select_policy ON seeds.projects FOR ALL TO ${setting} USING (tenant_id = current_setting('app.current_tenant_id')::uuid)`,
    `CREATE POLICY select_policy ON seeds.tasks FOR ALL TO ${setting} USING (tenant_id = current_setting('app.current_tenant_id')::uuid)`,

    // Seed 003: plpgsql with an EXCEPTION block, default volatility (VOLATILE), and a join policy on tasks.
    `CREATE OR REPLACE FUNCTION seeds.current_tenant_id()
     RETURNS uuid AS $$
     BEGIN
       RETURN current_setting('app.current_tenant_id', TRUE)::uuid;
     EXCEPTION
       WHEN OTHERS THEN
         RETURN NULL;
     END;
     $$ LANGUAGE plpgsql`,
    `CREATE POLICY tenant_isolation_policy ON seeds.projects TO ${s003} USING (tenant_id = seeds.current_tenant_id())`,
    `CREATE POLICY tenant_isolation_policy ON seeds.tasks TO ${s003} USING (project_id IN (SELECT id FROM seeds.projects WHERE tenant_id = seeds.current_tenant_id()))`,

    // Seed 004: the admin-owned secrets and pid tables, a password-checked setter, a getter.
    `CREATE TABLE seeds.secrets (set_tenant_id_password text NOT NULL)`,
    `INSERT INTO seeds.secrets VALUES (seeds.crypt('${SEED_004_PASSWORD}', seeds.gen_salt('bf')))`,
    `CREATE TABLE seeds.pid_tenant_id (pid integer PRIMARY KEY, tenant_id uuid)`,
    `CREATE FUNCTION seeds.set_tenant_id(p_tenant_id uuid, pwd TEXT) RETURNS text AS $$
     DECLARE
       v_pwd TEXT;
     BEGIN
       SELECT set_tenant_id_password INTO v_pwd FROM seeds.secrets WHERE set_tenant_id_password = crypt(pwd, set_tenant_id_password);
       IF v_pwd IS NULL THEN
         RAISE EXCEPTION 'invalid password';
       END IF;
       INSERT INTO seeds.pid_tenant_id VALUES (pg_backend_pid(), p_tenant_id) ON CONFLICT (pid) DO UPDATE SET tenant_id = p_tenant_id;
       RETURN p_tenant_id;
     END;
     $$ LANGUAGE plpgsql SECURITY DEFINER VOLATILE`,
    `CREATE FUNCTION seeds.get_tenant_id() RETURNS uuid AS $$
     DECLARE
       v_tenant_id uuid;
     BEGIN
       SELECT tenant_id INTO v_tenant_id FROM seeds.pid_tenant_id WHERE pid = pg_backend_pid();
       RETURN v_tenant_id;
     END;
     $$ LANGUAGE plpgsql SECURITY DEFINER STABLE`,
    `CREATE POLICY tenant_policy ON seeds.projects TO ${s004} USING (tenant_id = seeds.get_tenant_id()) WITH CHECK (tenant_id = seeds.get_tenant_id())`,
    `CREATE POLICY tenant_policy ON seeds.tasks TO ${s004} USING (tenant_id = seeds.get_tenant_id()) WITH CHECK (tenant_id = seeds.get_tenant_id())`,

    // The app roles: use of the tables, never of the secrets or the pid table.
    `GRANT USAGE ON SCHEMA seeds TO ${setting}, ${s003}, ${s004}`,
    `GRANT SELECT, INSERT ON seeds.projects, seeds.tasks TO ${setting}, ${s003}, ${s004}`,
    `REVOKE ALL ON seeds.secrets, seeds.pid_tenant_id FROM PUBLIC`,
    // Unqualified SQL (the same text the product runs) finds the seed tables.
    ...[setting, s003, s004].map((role) => `ALTER ROLE ${role} IN DATABASE ${database} SET search_path = seeds`),
  ];
}

/** Copies the product's rows into the seed tables (as superuser, FK triggers off for the load). */
export const SEED_COPY = [
  `INSERT INTO seeds.projects (tenant_id, id, created_by, created_at, name, description, updated_at)
   SELECT tenant_id, id, created_by, created_at, name, description, updated_at FROM public.projects`,
  `INSERT INTO seeds.tasks (tenant_id, id, created_by, created_at, project_id, title, status, assignee_id, due_date, updated_at)
   SELECT tenant_id, id, created_by, created_at, project_id, title, status, assignee_id, due_date, updated_at FROM public.tasks`,
];

/** SQL with $n placeholders, the values inlined as escaped literals: what seed 002's one-string form sends. */
export function inlineParams(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = values[Number(n) - 1];
    if (value === null || value === undefined) return 'NULL';
    return pg.escapeLiteral(String(value));
  });
}

export interface SeedCall {
  text: string;
  values: unknown[];
}

/** Seeds 001 and 003 (and seed 003's Node example): hold a client, SET at session level, query, release. */
export async function sessionSetThenQuery(pool: pg.Pool, tenantId: string, calls: SeedCall[]): Promise<pg.QueryResult[]> {
  const client = await pool.connect();
  try {
    await client.query(`SET app.current_tenant_id = ${pg.escapeLiteral(tenantId)}`);
    const results: pg.QueryResult[] = [];
    for (const call of calls) results.push(await client.query(call.text, call.values));
    return results;
  } finally {
    client.release();
  }
}

/** Seed 002's reference implementation: `SET SESSION ...; <query>` as one simple-protocol string. */
export async function sessionSetOneString(pool: pg.Pool, tenantId: string, calls: SeedCall[]): Promise<pg.QueryResult[]> {
  const text = [`SET SESSION app.current_tenant_id TO ${pg.escapeLiteral(tenantId)}`, ...calls.map((c) => inlineParams(c.text, c.values))].join(';\n');
  const results = (await pool.query(text)) as unknown as pg.QueryResult[];
  return results.slice(1);
}

/** Seed 004: set_tenant_id(tenant, password) at checkout, the query, set_tenant_id(-1) before release. */
export async function pidTableSetQueryReset(pool: pg.Pool, tenantId: string, calls: SeedCall[]): Promise<pg.QueryResult[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT set_tenant_id($1, $2)', [tenantId, SEED_004_PASSWORD]);
    const results: pg.QueryResult[] = [];
    for (const call of calls) results.push(await client.query(call.text, call.values));
    await client.query('SELECT set_tenant_id($1, $2)', [NIL_TENANT, SEED_004_PASSWORD]);
    return results;
  } finally {
    client.release();
  }
}
