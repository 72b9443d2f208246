import { readFile } from 'node:fs/promises';
import type { AppTenancy } from '@repo/db/tenancy';
import { TENANT_TABLES } from '@repo/db/schema';
import pg from 'pg';

/**
 * What no tenant in the catalog accounts for: schemas, databases and roles with the deployment's prefix that belong to
 * no tenant's placement (nor the template), rows in the shared tables of tenants that are not rls tenants, stored
 * passwords of no database tenant, and tenants not `active`. audit() looks at none of these: it inspects the
 * placements the catalog names, not what a crashed call left beside them.
 */
export async function findLeftovers(superuserUrl: string, tenancy: AppTenancy, secretsFile: string): Promise<string[]> {
  const { namePrefix, sharedSchema } = tenancy.config;
  const tenants = await tenancy.listTenants();
  const template = `${namePrefix}_template`;
  const own = (pick: (t: (typeof tenants)[number]) => string | null) => [template, ...tenants.flatMap((t) => pick(t) ?? [])];
  const schemas = own((t) => (t.strategy === 'schema' ? t.schemaName : null));
  const databases = own((t) => t.databaseName);
  const roles = own((t) => t.roleName);
  const rlsIds = tenants.filter((t) => t.strategy === 'rls').map((t) => t.id);
  const found: string[] = tenants.filter((t) => t.status !== 'active').map((t) => `tenant ${t.slug} left ${t.status}`);
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const stray = async (sql: string, allowed: string[], kind: string) => {
      const { rows } = await client.query<{ name: string }>(sql, [namePrefix, allowed]);
      found.push(...rows.map((r) => `${kind} ${r.name}`));
    };
    await stray('select nspname as name from pg_namespace where starts_with(nspname, $1) and nspname <> all($2)', schemas, 'schema');
    await stray('select datname as name from pg_database where starts_with(datname, $1) and datname <> all($2)', databases, 'database');
    await stray('select rolname as name from pg_roles where starts_with(rolname, $1) and rolname <> all($2)', roles, 'role');
    for (const table of TENANT_TABLES) {
      // As the superuser: row-level security does not hide other tenants' rows from it.
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from ${pg.escapeIdentifier(sharedSchema)}.${pg.escapeIdentifier(table)} where tenant_id <> all($1::uuid[])`,
        [rlsIds],
      );
      if (rows[0]!.n > 0) found.push(`${rows[0]!.n} row(s) in ${sharedSchema}.${table} of no rls tenant`);
    }
  } finally {
    await client.end();
  }
  const secrets = Object.keys(await readSecrets(secretsFile));
  const databaseSlugs = new Set(tenants.filter((t) => t.strategy === 'database').map((t) => t.slug));
  found.push(...secrets.filter((slug) => !databaseSlugs.has(slug)).map((slug) => `stored password of ${slug}, no database tenant`));
  return found;
}

async function readSecrets(file: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}
