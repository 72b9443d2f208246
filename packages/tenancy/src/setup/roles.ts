import type pg from 'pg';

/**
 * Creates a role unless it exists, in one statement that is safe to replay (init.sql replays what
 * setup() ran). Roles are cluster-wide, so two deployments or test suites may race to create the
 * same one: losing that race is success. The server's format() quotes the name and password.
 */
export async function ensureRole(client: pg.ClientBase, name: string, options: { login: boolean; password?: string | undefined }): Promise<void> {
  if (options.password?.includes('$')) {
    throw new TypeError(`The password of role "${name}" contains "$": choose one without it (it is written into a dollar-quoted block).`);
  }
  const create = `CREATE ROLE %I ${options.login ? 'LOGIN' : 'NOLOGIN'}${options.password === undefined ? '' : ' PASSWORD %L'}`;
  const block = `DO $tenancy_role$ BEGIN ${create}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $tenancy_role$`;
  await execFormatted(client, block, options.password === undefined ? [name] : [name, options.password]);
}

/** Runs a statement whose identifiers are filled in by the server's format(%I), never by string concatenation here. */
export async function execFormatted(client: pg.ClientBase, template: string, args: readonly string[]): Promise<void> {
  const placeholders = args.map((_, i) => `$${i + 2}::text`).join(', ');
  const { rows } = await client.query<{ ddl: string }>(`SELECT format($1${placeholders ? `, ${placeholders}` : ''}) AS ddl`, [template, ...args]);
  await client.query(rows[0]!.ddl);
}
