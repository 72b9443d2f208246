import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, startEmbeddedCluster } from '@repo/localdb/cluster';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ROLE } from '../src/auth/role';
import { INIT_SQL_DEFAULTS } from '../src/init-sql/generate';
import { prepareDatabase } from '../src/prepare';
import { roleUrl, usePreparedDatabase } from './support';

// Sign-in lookups (public.auth_user: a password hash by email; public.user_memberships: anyone's tenants) belong to
// app_auth alone, a login role that tenant requests never use. app_user serves tenant requests, so SQL injected into
// one runs as app_user: it must be refused both functions. app_auth must get them and nothing else.

const prepared = usePreparedDatabase('auth_role');

const ALICE = {
  id: '00000000-0000-4000-a000-00000000a11c',
  email: 'Alice@Auth-Role.test',
  name: 'Alice Auth',
  hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA',
};
const BOB = {
  id: '00000000-0000-4000-a000-000000000b0b',
  email: 'bob@auth-role.test',
  name: 'Bob Auth',
  hash: '$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0b3RoZXI$b3RoZXJoYXNob3RoZXJoYQ',
};

async function withRole<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const authUrl = () => prepared().urls.authUrl;

describe('sign-in lookups run as app_auth only', () => {
  let tenants: { a: string; b: string };

  beforeAll(async () => {
    const { tenancy, admin } = prepared();
    const a = await tenancy.createTenant({ slug: 'authrole_a', name: 'Auth Role A', strategy: 'rls' });
    const b = await tenancy.createTenant({ slug: 'authrole_b', name: 'Auth Role B', strategy: 'rls' });
    tenants = { a: a.id, b: b.id };
    for (const user of [ALICE, BOB]) {
      await admin.query('INSERT INTO public.users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)', [user.id, user.email, user.name, user.hash]);
    }
    await admin.query("INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, 'admin'), ($1, $3, 'viewer'), ($4, $3, 'member')", [
      ALICE.id,
      a.id,
      b.id,
      BOB.id,
    ]);
    await tenancy.withTenant('authrole_a', (tx) => tx.query("INSERT INTO projects (name) VALUES ('secret plan')"), { role: 'admin', userId: ALICE.id });
  });

  it('app_user (tenant requests) is refused auth_user and user_memberships', async () => {
    const { urls, tenancy } = prepared();
    await withRole(urls.appUrl, async (app) => {
      // Really app_user, not a superuser that would pass any privilege check.
      const { rows } = await app.query<{ who: string; rolsuper: boolean }>('SELECT current_user AS who, rolsuper FROM pg_roles WHERE rolname = current_user');
      expect(rows).toEqual([{ who: 'app_user', rolsuper: false }]);
      await expect(app.query('SELECT * FROM public.auth_user($1)', [ALICE.email])).rejects.toThrow(/permission denied for function auth_user/);
      await expect(app.query('SELECT * FROM public.user_memberships($1)', [ALICE.id])).rejects.toThrow(/permission denied for function user_memberships/);
    });
    // The same inside a tenant request, where injected SQL would run.
    await expect(
      tenancy.queryAs('authrole_a', 'SELECT password_hash FROM public.auth_user($1)', [BOB.email], { role: 'admin', userId: ALICE.id }),
    ).rejects.toThrow(/permission denied for function auth_user/);
    await expect(tenancy.queryAs('authrole_a', 'SELECT * FROM public.user_memberships($1)', [BOB.id], { role: 'admin', userId: ALICE.id })).rejects.toThrow(
      /permission denied for function user_memberships/,
    );
  });

  it('app_user (tenant requests) may not read or write the sign-in limits or the sessions, inside a tenant request neither', async () => {
    const { urls, tenancy } = prepared();
    await withRole(urls.appUrl, async (app) => {
      for (const table of ['sign_in_limits', 'user_sessions', 'operator_sessions']) {
        await expect(app.query(`SELECT * FROM public.${table}`), table).rejects.toThrow(new RegExp(`permission denied for table ${table}`));
        await expect(app.query(`DELETE FROM public.${table}`), table).rejects.toThrow(new RegExp(`permission denied for table ${table}`));
      }
      await expect(app.query('SELECT public.set_user_password($1, $2, NULL)', [BOB.id, BOB.hash])).rejects.toThrow(
        /permission denied for function set_user_password/,
      );
    });
    await expect(tenancy.queryAs('authrole_a', 'DELETE FROM public.sign_in_limits', [], { role: 'admin', userId: ALICE.id })).rejects.toThrow(
      /permission denied/,
    );
    await expect(tenancy.queryAs('authrole_a', 'UPDATE public.user_sessions SET ended_at = NULL', [], { role: 'admin', userId: ALICE.id })).rejects.toThrow(
      /permission denied/,
    );
    // The sign-in roles may: they count the attempts.
    for (const url of [authUrl(), urls.operatorUrl]) {
      await withRole(url, async (role) => {
        await role.query('INSERT INTO public.sign_in_limits (key, points, expire) VALUES ($1, 1, 0) ON CONFLICT (key) DO UPDATE SET points = 1', ['test:key']);
        await role.query('DELETE FROM public.sign_in_limits WHERE key = $1', ['test:key']);
      });
    }
  });

  it('app_operator is refused them too (the admin app reads users and memberships directly)', async () => {
    await withRole(prepared().urls.operatorUrl, async (operator) => {
      await expect(operator.query('SELECT * FROM public.auth_user($1)', [ALICE.email])).rejects.toThrow(/permission denied for function auth_user/);
      await expect(operator.query('SELECT * FROM public.user_memberships($1)', [ALICE.id])).rejects.toThrow(/permission denied for function user_memberships/);
    });
  });

  it('app_auth finds a user by email (any case) with the password hash, and a user`s active tenants and roles', async () => {
    await withRole(authUrl(), async (auth) => {
      const { rows: me } = await auth.query<{ who: string; rolsuper: boolean; rolbypassrls: boolean; rolinherit: boolean }>(
        'SELECT current_user AS who, rolsuper, rolbypassrls, rolinherit FROM pg_roles WHERE rolname = current_user',
      );
      expect(me).toEqual([{ who: AUTH_ROLE, rolsuper: false, rolbypassrls: false, rolinherit: false }]);
      const { rows: found } = await auth.query('SELECT id, email, name, password_hash FROM public.auth_user($1)', [ALICE.email.toLowerCase()]);
      expect(found).toEqual([{ id: ALICE.id, email: ALICE.email, name: ALICE.name, password_hash: ALICE.hash }]);
      expect((await auth.query('SELECT * FROM public.auth_user($1)', ['nobody@auth-role.test'])).rows).toEqual([]);
      const { rows: memberships } = await auth.query('SELECT tenant_id, tenant_slug, tenant_name, strategy, role FROM public.user_memberships($1)', [ALICE.id]);
      expect(memberships).toEqual([
        { tenant_id: tenants.a, tenant_slug: 'authrole_a', tenant_name: 'Auth Role A', strategy: 'rls', role: 'admin' },
        { tenant_id: tenants.b, tenant_slug: 'authrole_b', tenant_name: 'Auth Role B', strategy: 'rls', role: 'viewer' },
      ]);
      const { rows: bobs } = await auth.query('SELECT tenant_slug, role FROM public.user_memberships($1)', [BOB.id]);
      expect(bobs).toEqual([{ tenant_slug: 'authrole_b', role: 'member' }]);
    });
  });

  it('app_auth reads no table and no tenant data, and may run nothing else of the app (but count sign-in attempts and keep sessions)', async () => {
    await withRole(authUrl(), async (auth) => {
      for (const table of [
        'public.users',
        'public.memberships',
        'public.operators',
        'public.projects',
        'public.tasks',
        'public.comments',
        'tenancy.tenants',
        'tenancy.context_key',
      ]) {
        await expect(auth.query(`SELECT * FROM ${table} LIMIT 1`), table).rejects.toThrow(/permission denied/);
      }
      await expect(auth.query("INSERT INTO public.users (email, name, password_hash) VALUES ('x@y.test', 'x', 'x')")).rejects.toThrow(/permission denied/);
      for (const call of [
        'public.tenant_members()',
        "public.set_member_role(gen_random_uuid(), 'admin')",
        'public.remove_member(gen_random_uuid())',
        'public.leave_organisation()',
        'tenancy.current_tenant_id()',
        "tenancy.resolve_tenant('authrole_a')",
        "tenancy.reset_session('x')",
      ]) {
        await expect(auth.query(`SELECT * FROM ${call}`), call).rejects.toThrow(/permission denied/);
      }
    });
    // The catalog agrees, for every relation and function of the app, whatever its schema: the tables it may write
    // are the sign-in limits' (migration 0005, what rate-limiter-flexible runs), its users' sessions (0006) and the API keys'
    // request counts (0009).
    const { admin } = prepared();
    const { rows: tables } = await admin.query<{ relation: string; privileges: string }>(
      `SELECT c.oid::regclass::text AS relation,
              array_to_string(ARRAY(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
                                     WHERE has_table_privilege($1, c.oid, p)), ',') AS privileges
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgboss') AND n.nspname NOT LIKE 'pg\\_%'
          AND (has_table_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
               OR (c.relkind = 'S' AND has_sequence_privilege($1, c.oid, 'USAGE, SELECT, UPDATE')))
        ORDER BY 1`,
      [AUTH_ROLE],
    );
    expect(tables).toEqual([
      { relation: 'api_rate_limits', privileges: 'SELECT,INSERT,UPDATE,DELETE' },
      { relation: 'sign_in_limits', privileges: 'SELECT,INSERT,UPDATE,DELETE' },
      { relation: 'user_sessions', privileges: 'SELECT,INSERT,UPDATE,DELETE' },
    ]);
    const { rows: functions } = await admin.query<{ fn: string }>(
      `SELECT p.oid::regprocedure::text AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgboss') AND has_function_privilege($1, p.oid, 'EXECUTE') ORDER BY 1`,
      [AUTH_ROLE],
    );
    // tenancy.reset_session(text) is granted to PUBLIC by the library (every role a tenant transaction runs as must call it
    // before COMMIT): SECURITY INVOKER, it resets only its caller's own session. app_auth cannot even reach it: no
    // USAGE on schema tenancy (below, and the call above is refused). set_user_password: a password change by the
    // signed-in user (0006), which ends their other sessions.
    // resolve_api_key: what a presented API key may do (0009). The account functions of 0011: sign-up, the emailed links'
    // tokens (stored as hashes), the confirmation check at sign-in.
    // And the invitation links' (0013): the worker issues a link's token, its holder sees and accepts it.
    // The activity log's and support access's writers are the rls placement's, in schema public, executable by PUBLIC as
    // in every placement (a tenant role must run them); each demands the verified tenant context, which app_auth can
    // neither verify (no USAGE on schema tenancy) nor sign.
    expect(functions.map((row) => row.fn)).toEqual([
      'accept_invitation(text,uuid)',
      'auth_user(text)',
      'email_verified(uuid)',
      'invitation_by_token(text)',
      'issue_account_token(uuid,text,text,integer)',
      'issue_invitation_token(uuid,uuid,text,integer)',
      'log_activity(text,text,uuid,jsonb)',
      'reset_password(text,text)',
      'resolve_api_key(text)',
      'set_user_password(uuid,text,uuid)',
      'sign_up(text,text,text,text,text)',
      'sign_up_invited(text,text,text)',
      'support_access_approve(uuid,integer)',
      'support_access_enter(text)',
      'support_access_request(text,text)',
      'support_access_revoke(uuid)',
      'tenancy.reset_session(text)',
      'user_memberships(uuid)',
      'verify_email(text)',
    ]);
    // The job queue (pg-boss) is app_auth's own schema, and only its: no runtime role may use it.
    const { rows: queue } = await admin.query(
      `SELECT n.nspowner::regrole::text AS owner, has_schema_privilege('app_user', n.oid, 'USAGE') AS app_user,
              has_schema_privilege('app_operator', n.oid, 'USAGE') AS app_operator, has_schema_privilege('public', n.oid, 'USAGE') AS public
         FROM pg_namespace n WHERE n.nspname = 'pgboss'`,
    );
    expect(queue).toEqual([{ owner: AUTH_ROLE, app_user: false, app_operator: false, public: false }]);
    const { rows: reset } = await admin.query(`SELECT prosecdef FROM pg_proc WHERE oid = 'tenancy.reset_session(text)'::regprocedure`);
    expect(reset).toEqual([{ prosecdef: false }]);
    const { rows: schemas } = await admin.query(`SELECT has_schema_privilege($1, 'tenancy', 'USAGE') AS tenancy`, [AUTH_ROLE]);
    expect(schemas).toEqual([{ tenancy: false }]);
    const { rows: memberOf } = await admin.query('SELECT roleid::regrole::text AS role FROM pg_auth_members WHERE member = $1::regrole', [AUTH_ROLE]);
    expect(memberOf).toEqual([]);
  });
});

/** Every statement a client sends, reads included, with its parameters. */
function capturingClientClass(sent: string[]): typeof pg.Client {
  return class CapturingClient extends pg.Client {
    override query(...args: unknown[]): never {
      const [config, values] = args as [string | pg.QueryConfig, unknown[] | undefined];
      const text = typeof config === 'string' ? config : config.text;
      const params = (typeof config === 'string' ? undefined : config.values) ?? values ?? [];
      sent.push(JSON.stringify({ text, params }));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  };
}

describe('app_auth`s password never appears in SQL text', () => {
  it('is absent from the generated init.sql, which carries only its SCRAM verifier', async () => {
    const initSql = await readFile(new URL('../../../init.sql', import.meta.url), 'utf8');
    expect(initSql).not.toContain(INIT_SQL_DEFAULTS.authPassword);
    expect(initSql).toMatch(/CREATE ROLE app_auth LOGIN NOINHERIT [A-Z ]*PASSWORD 'SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+'/);
  });

  // Its own server, logging every statement with its parameters: changing app_auth's password here cannot disturb
  // the suites sharing the test cluster, and the server log is what an operator (or an attacker with it) would read.
  it('is neither sent nor logged by the server when prepareDatabase() creates the role and when it changes the password', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'auth-role-'));
    await chmod(dir, 0o755);
    let serverLog = '';
    const cluster = await startEmbeddedCluster({
      dataDir: path.join(dir, 'pg'),
      port: await findFreePort('127.0.0.1'),
      persistent: false,
      fsync: false,
      settings: { log_statement: 'all', log_parameter_max_length: -1, log_min_error_statement: 'info' },
      onLog: (text) => (serverLog += text),
    });
    try {
      await withRole(cluster.url(), (admin) => admin.query('CREATE DATABASE saas'));
      const url = cluster.url('saas');
      const passwords = [`first-${randomBytes(12).toString('hex')}`, `second-${randomBytes(12).toString('hex')}`];
      const sent: string[] = [];
      for (const password of passwords) {
        const tenancy = await prepareDatabase({
          adminUrl: url,
          appUrl: roleUrl(url, 'app_user', INIT_SQL_DEFAULTS.appPassword),
          operatorUrl: roleUrl(url, 'app_operator', INIT_SQL_DEFAULTS.operatorPassword),
          authUrl: roleUrl(url, AUTH_ROLE, password),
          contextSecret: INIT_SQL_DEFAULTS.contextSecret,
          clientClass: capturingClientClass(sent),
        });
        await tenancy.close();
        // The role logs in with exactly this password.
        expect(await withRole(roleUrl(url, AUTH_ROLE, password), async (auth) => (await auth.query('SELECT current_user AS who')).rows)).toEqual([
          { who: AUTH_ROLE },
        ]);
      }
      await expect(withRole(roleUrl(url, AUTH_ROLE, passwords[0]!), (auth) => auth.query('SELECT 1'))).rejects.toThrow(/password authentication failed/);
      for (const password of passwords) {
        expect(sent.filter((statement) => statement.includes(password))).toEqual([]);
        expect(serverLog).not.toContain(password);
      }
      // Not vacuous: the log has the statements that created the role and changed its password, with a verifier.
      expect(sent.length).toBeGreaterThan(20);
      expect(serverLog).toMatch(/statement: DO \$app_auth\$ BEGIN CREATE ROLE app_auth .*PASSWORD 'SCRAM-SHA-256\$/);
      expect(serverLog).toMatch(/statement: ALTER ROLE app_auth PASSWORD 'SCRAM-SHA-256\$/);
    } finally {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
