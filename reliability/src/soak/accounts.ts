import { createHash, randomBytes } from 'node:crypto';
import { hashPassword } from '@repo/auth/password';
import pg from 'pg';

/** An organisation of the seeded stack, as the soak's users see it. */
export interface SoakOrg {
  slug: string;
  name: string;
  strategy: string;
  /** Names of its projects when the soak starts: another organisation's answer must show none of them. */
  seedProjects: string[];
}

export interface SoakUser {
  index: number;
  email: string;
  password: string;
  /** Its organisations; the first is the one its API key belongs to. */
  orgs: string[];
  /** A write key of its first organisation, made by the user. */
  apiKey: string;
}

/** The marker every name the soak writes carries: the organisation it was written in. */
export const marker = (slug: string) => `[soak:${slug}]`;

const PASSWORD = `soak-${randomBytes(9).toString('base64url')}`;
const KEY_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * `count` accounts over the seeded organisations (rls, schema and database tenants alike), made as the admin app makes
 * users (a row with an argon2id hash) and memberships, each with a write API key of its first organisation stored as
 * the app stores one (prefix and sha256). User i is a member of organisation i mod n; every third user is also a member
 * of the next one, so some users share an organisation and some are in two.
 */
export async function createSoakAccounts(adminUrl: string, count: number): Promise<{ users: SoakUser[]; orgs: SoakOrg[] }> {
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'soak-setup' });
  await admin.connect();
  try {
    const { rows: tenants } = await admin.query<{ id: string; slug: string; name: string; strategy: string }>(
      "SELECT id, slug, name, strategy FROM tenancy.tenants WHERE status = 'active' ORDER BY slug",
    );
    if (tenants.length < 2) throw new Error(`the stack has ${tenants.length} organisation(s): the soak needs several`);
    const orgs: SoakOrg[] = [];
    for (const tenant of tenants) {
      orgs.push({ slug: tenant.slug, name: tenant.name, strategy: tenant.strategy, seedProjects: await projectNames(adminUrl, admin, tenant) });
    }
    const passwordHash = await hashPassword(PASSWORD);
    const users: SoakUser[] = [];
    for (let index = 0; index < count; index++) {
      const email = `soak-${String(index).padStart(2, '0')}@soak.test`;
      const mine = [tenants[index % tenants.length]!];
      if (index % 3 === 0) mine.push(tenants[(index + 1) % tenants.length]!);
      const { rows } = await admin.query<{ id: string }>('INSERT INTO public.users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id', [
        email,
        `Soak user ${index}`,
        passwordHash,
      ]);
      const userId = rows[0]!.id;
      for (const tenant of mine) {
        await admin.query("INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, 'member')", [userId, tenant.id]);
      }
      const prefix = `tk_${Array.from(randomBytes(8), (byte) => KEY_LETTERS[byte % KEY_LETTERS.length]).join('')}`;
      const apiKey = `${prefix}_${randomBytes(32).toString('base64url')}`;
      await admin.query("INSERT INTO public.api_keys (tenant_id, prefix, secret_hash, scope, name, created_by) VALUES ($1, $2, $3, 'write', $4, $5)", [
        mine[0]!.id,
        prefix,
        createHash('sha256').update(apiKey).digest('hex'),
        `soak key ${index}`,
        userId,
      ]);
      users.push({ index, email, password: PASSWORD, orgs: mine.map((tenant) => tenant.slug), apiKey });
    }
    return { users, orgs };
  } finally {
    await admin.end();
  }
}

/** A tenant's project names, wherever its rows live (a database tenant's are in a database of its own). */
async function projectNames(adminUrl: string, admin: pg.Client, tenant: { id: string; strategy: string }): Promise<string[]> {
  if (tenant.strategy === 'rls') {
    const { rows } = await admin.query<{ name: string }>('SELECT name FROM public.projects WHERE tenant_id = $1', [tenant.id]);
    return rows.map((row) => row.name);
  }
  const { rows: placement } = await admin.query<{ schema_name: string; database_name: string | null }>(
    'SELECT schema_name, database_name FROM tenancy.tenants WHERE id = $1',
    [tenant.id],
  );
  const { schema_name: schema, database_name: database } = placement[0]!;
  const read = async (client: pg.Client) =>
    (await client.query<{ name: string }>(`SELECT name FROM ${pg.escapeIdentifier(schema)}.projects`)).rows.map((row) => row.name);
  if (database === null) return read(admin);
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'soak-setup' });
  await client.connect();
  try {
    return await read(client);
  } finally {
    await client.end();
  }
}
