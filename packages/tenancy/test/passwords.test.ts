import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTenancy, type SecretsProvider } from '../src/index';
import { passwordMatches } from '../src/pgbouncer/scram';
import { baseConfig, roleUrl, useTenancy } from './support';

const suite = useTenancy('passwords');

/** Every statement text and parameter any connection of the library sends: what pg_stat_activity, logs and pg_stat_statements could ever hold. */
function recordingClass(sent: string[]): typeof pg.Client {
  return class Recording extends pg.Client {
    override query(...args: unknown[]): never {
      const [config, values] = args as [string | pg.QueryConfig, unknown[] | undefined];
      const text = typeof config === 'string' ? config : config.text;
      sent.push(String(text), ...((typeof config === 'string' ? values : (config.values ?? values)) ?? []).map(String));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  };
}

describe('role passwords', () => {
  it('reach the server only as SCRAM verifiers: the app role from its URL, a database tenant from its secret', async () => {
    const { db, admin } = suite();
    const sent: string[] = [];
    const appRole = `pw_app_${randomBytes(3).toString('hex')}`;
    const appPassword = `app-${randomBytes(12).toString('hex')}`;
    const base = baseConfig(db);
    const tenancy = createTenancy({ ...base, appUrl: roleUrl(db.url, appRole, appPassword), clientClass: recordingClass(sent) });
    try {
      await tenancy.setup();
      await tenancy.createTenant({ slug: 'pw_db', name: 'Passwords', strategy: 'database' });
      const tenantRole = (await tenancy.getTenant('pw_db')).roleName!;
      const tenantPassword = (await (base.secrets as SecretsProvider).get('pw_db'))!;
      // Both really work, so the verifiers really are of these passwords.
      expect((await tenancy.queryAs<{ n: number }>('pw_db', 'select count(*)::int as n from notes')).rows[0]!.n).toBe(0);
      const { rows } = await admin.query<{ rolname: string; rolpassword: string }>('select rolname, rolpassword from pg_authid where rolname = any($1)', [
        [appRole, tenantRole],
      ]);
      for (const row of rows) expect(passwordMatches(row.rolpassword, row.rolname, row.rolname === appRole ? appPassword : tenantPassword)).toBe(true);
      expect(rows.map((r) => r.rolpassword.slice(0, 14))).toEqual(['SCRAM-SHA-256$', 'SCRAM-SHA-256$']);
      expect(sent.length).toBeGreaterThan(50);
      expect(sent.filter((s) => s.includes(appPassword) || s.includes(tenantPassword))).toEqual([]);
    } finally {
      await tenancy.deleteTenant('pw_db', { archive: false }).catch(() => undefined);
      await tenancy.close();
      await admin.query(`drop owned by ${pg.escapeIdentifier(appRole)}`).catch(() => undefined);
      await admin.query(`drop role if exists ${pg.escapeIdentifier(appRole)}`).catch(() => undefined);
    }
  });

  it("setup() gives an existing app role the URL's password, again only as a verifier", async () => {
    const { db, admin } = suite();
    const appRole = `pw_app_${randomBytes(3).toString('hex')}`;
    const first = `first-${randomBytes(12).toString('hex')}`;
    const second = `second-${randomBytes(12).toString('hex')}`;
    const sent: string[] = [];
    const setupWith = async (password: string) => {
      const tenancy = createTenancy({ ...baseConfig(db), appUrl: roleUrl(db.url, appRole, password), clientClass: recordingClass(sent) });
      await tenancy.setup();
      await tenancy.close();
    };
    try {
      await setupWith(first);
      await setupWith(second);
      const login = new pg.Client({ connectionString: roleUrl(db.url, appRole, second) });
      await login.connect();
      await login.end();
      expect(sent.filter((s) => s.includes(first) || s.includes(second))).toEqual([]);
    } finally {
      await admin.query(`drop owned by ${pg.escapeIdentifier(appRole)}`).catch(() => undefined);
      await admin.query(`drop role if exists ${pg.escapeIdentifier(appRole)}`).catch(() => undefined);
    }
  });
});
