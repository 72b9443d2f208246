import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createTestDatabase } from '@repo/localdb/harness';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { generateInitSql, INIT_SQL_DEFAULTS } from '../src/init-sql/generate';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileSecretsProvider } from '@repo/tenancy';
import { prepareDatabase } from '../src/prepare';
import { SEED_TENANTS, SEED_USERS, seedDatabaseTenants } from '../src/seed/index';
import { createAppTenancy } from '../src/tenancy';
import { roleUrl, suitePrefix } from './support';

const INIT_SQL = new URL('../../../init.sql', import.meta.url);
const run = promisify(execFile);

describe('init.sql', () => {
  it('matches what setup, the migrations and the seed run (regenerate with `npm run db:init-sql`)', async () => {
    const db = await createTestDatabase('init_sql_fresh');
    try {
      const generated = await generateInitSql(db.url);
      const committed = await readFile(INIT_SQL, 'utf8');
      expect(generated === committed, 'init.sql is stale: run `npm run db:init-sql` and commit it').toBe(true);
    } finally {
      await db.drop();
    }
  });

  it('applies with psql -v ON_ERROR_STOP=1 -f on an empty database, and the seed is tenant-isolated for app_user', async () => {
    const db = await createTestDatabase('init_sql_psql');
    try {
      const { stderr } = await run('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-d', db.url, '-f', new URL(INIT_SQL).pathname], {
        env: { ...process.env, PGOPTIONS: '-c client_min_messages=error' },
      });
      expect(stderr).not.toMatch(/ERROR/);
      const tenancy = createAppTenancy({ appUrl: roleUrl(db.url, 'app_user', INIT_SQL_DEFAULTS.appPassword), contextSecret: INIT_SQL_DEFAULTS.contextSecret });
      try {
        const [acme, globex] = SEED_TENANTS;
        const alice = SEED_USERS[0]!;
        const seen = await tenancy.queryAs<{ tenant_id: string }>(acme!.slug, 'select distinct tenant_id from projects', [], {
          role: 'admin',
          userId: alice.id,
        });
        expect(seen.rows).toEqual([{ tenant_id: acme!.id }]);
        const other = await tenancy.queryAs<{ n: number }>(globex!.slug, 'select count(*)::int as n from projects');
        expect(other.rows[0]!.n).toBe(globex!.projects.length);
        const hooli = SEED_TENANTS.find((t) => t.strategy === 'schema')!;
        const schemaRows = await tenancy.queryAs<{ tenant_id: string }>(hooli.slug, 'select tenant_id from projects');
        expect(schemaRows.rows.length).toBe(hooli.projects.length);
        expect(new Set(schemaRows.rows.map((r) => r.tenant_id))).toEqual(new Set([hooli.id]));
        // Sign-in lookups are app_auth's alone: a tenant request (app_user) is refused them.
        await expect(tenancy.queryAs(acme!.slug, 'select email from public.auth_user($1)', [alice.email])).rejects.toThrow(
          /permission denied for function auth_user/,
        );
      } finally {
        await tenancy.close();
      }
      // No operator: the Docker stack starts from this file, and an operator with a published password must not
      // exist there (`npm run dev` adds its own; the Docker setup creates the first one).
      const owner = new pg.Client({ connectionString: db.url });
      await owner.connect();
      try {
        expect((await owner.query('select count(*)::int as n from public.operators')).rows[0].n).toBe(0);
      } finally {
        await owner.end();
      }
      await checkDatabaseTenantSeed(db.url);
      const app = new pg.Client({ connectionString: roleUrl(db.url, 'app_user', INIT_SQL_DEFAULTS.appPassword) });
      await app.connect();
      try {
        expect((await app.query('select count(*)::int as n from projects')).rows[0].n).toBe(0);
        await expect(app.query('select * from public.users')).rejects.toThrow(/permission denied/);
      } finally {
        await app.end();
      }
      const auth = new pg.Client({ connectionString: roleUrl(db.url, 'app_auth', INIT_SQL_DEFAULTS.authPassword) });
      await auth.connect();
      try {
        const alice = SEED_USERS[0]!;
        const login = await auth.query<{ email: string }>('select email from public.auth_user($1)', [alice.email]);
        expect(login.rows).toEqual([{ email: alice.email }]);
      } finally {
        await auth.end();
      }
    } finally {
      await db.drop();
    }
  });
});

/** Database tenants are seeded at start, not by init.sql: the seeding is idempotent and isolated too. */
async function checkDatabaseTenantSeed(url: string): Promise<void> {
  const secretsFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'seed-secrets-')), 'secrets.json');
  const tenancy = await prepareDatabase({
    adminUrl: url,
    appUrl: roleUrl(url, 'app_user', INIT_SQL_DEFAULTS.appPassword),
    operatorUrl: roleUrl(url, 'app_operator', INIT_SQL_DEFAULTS.operatorPassword),
    authUrl: roleUrl(url, 'app_auth', INIT_SQL_DEFAULTS.authPassword),
    contextSecret: INIT_SQL_DEFAULTS.contextSecret,
    tenancy: { secrets: new FileSecretsProvider(secretsFile), namePrefix: suitePrefix('seeddb') },
  });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const umbrella = SEED_TENANTS.find((t) => t.strategy === 'database')!;
    expect(await seedDatabaseTenants(tenancy, admin)).toEqual([umbrella.slug]);
    expect(await seedDatabaseTenants(tenancy, admin)).toEqual([]);
    const { rows } = await tenancy.queryAs<{ tenant_id: string }>(umbrella.slug, 'select tenant_id from projects');
    expect(rows.length).toBe(umbrella.projects.length);
    expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set([umbrella.id]));
    // init.sql, setup and the seeded database tenant together are safe by every check of the audit: the control-plane
    // functions app_user may call are scoped by the tenant context, the sign-in lookups are app_auth's alone.
    expect((await tenancy.audit()).findings).toEqual([]);
    // Control-plane functions live in the deployment's database, not in the tenant's own.
    await expect(tenancy.queryAs(umbrella.slug, 'select email from public.tenant_members()')).rejects.toThrow(/does not exist/);
    // ...but withControlPlane reaches them with the same tenant's signed context.
    const members = await tenancy.withControlPlane(
      umbrella.slug,
      (tx) => tx.query<{ email: string }>('select email from public.tenant_members() order by email'),
      { role: 'viewer' },
    );
    expect(members.rows.map((m) => m.email)).toEqual(['albert@umbrella.test', 'chris@umbrella.test', 'jill@umbrella.test']);
    await tenancy.deleteTenant(umbrella.slug, { archive: false });
  } finally {
    await admin.end();
    await tenancy.close();
  }
}
