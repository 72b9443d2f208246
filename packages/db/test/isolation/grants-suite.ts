import type { SecretsProvider, StrategyName, TenantTx } from '@repo/tenancy';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { roleUrl, usePreparedDatabase } from '../support';
import { buildFixture, layoutOf, type Fixture, type TenantFixture } from './fixture';
import { describeLayout } from './layout-suite';
import { queryAt, serverOf, superuserQuery } from './placement';
import type { SecondCluster } from './second-server';

/** What a tenant request's role may execute outside the system catalog: nothing that returns another tenant's data. */
const CONTEXT_FUNCTIONS = [
  'tenancy.claimed_tenant_id()',
  'tenancy.claimed_user_id()',
  'tenancy.current_app_role()',
  'tenancy.current_tenant_id()',
  'tenancy.current_user_id()',
  'tenancy.reset_session(text)',
];
/**
 * The functions of a placement's schema that PUBLIC may execute: the activity log's and support access's writers, each
 * scoped by the verified context (activity-suite.ts and support-suite.ts attack them).
 */
const placementFunctions = (schema: string) =>
  [
    'log_activity(text,text,uuid,jsonb)',
    'support_access_approve(uuid,integer)',
    'support_access_enter(text)',
    'support_access_request(text,text)',
    'support_access_revoke(uuid)',
  ].map((fn) => `${schema}.${fn}`);
const APP_FUNCTIONS = [
  ...CONTEXT_FUNCTIONS,
  'public.create_api_key(text,text,text,text)',
  'public.create_invitation(text,text)',
  'public.leave_organisation()',
  'public.remove_member(uuid)',
  'public.revoke_api_key(uuid)',
  'public.revoke_invitation(uuid)',
  ...placementFunctions('public'),
  'public.set_member_role(uuid,text)',
  'public.tenant_api_keys()',
  'public.tenant_invitations()',
  'public.tenant_members()',
  'tenancy.catalog_version(bigint,text)',
  'tenancy.get_secret(text,bigint,text)',
  'tenancy.resolve_tenant(text,bigint,text)',
].sort();

const TENANT_SCHEMAS = `select n.nspname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.proname = 'log_activity' and n.nspname <> 'public'`;
const EXECUTABLE = `select n.nspname || '.' || p.proname || '(' || replace(oidvectortypes(p.proargtypes), ', ', ',') || ')' as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname not in ('pg_catalog', 'information_schema') and has_function_privilege($1, p.oid, 'EXECUTE') order by 1`;

/**
 * Grants, attacked: from A's context every function the request's role may execute is called
 * with B's identifiers, B's objects are named by their qualified names, and the statistics that
 * PostgreSQL would show about B are asked for.
 */
export function describeGrants(strategy: StrategyName, second?: () => SecondCluster): void {
  const layout = layoutOf(second);
  const prepared = usePreparedDatabase(`grants_${strategy}`, {}, second);
  let fx: Fixture;
  let emails: { a: string; b: string };

  beforeAll(async () => {
    fx = await buildFixture(prepared(), strategy, `gr_${strategy}`, layout);
    emails = { a: `admin-a-${strategy}@grants.test`, b: `admin-b-${strategy}@grants.test` };
    // Control-plane users and memberships for A's and B's admins: the functions below read them.
    for (const [f, email] of [
      [fx.a, emails.a],
      [fx.b, emails.b],
    ] as const) {
      await prepared().admin.query(`insert into public.users (id, email, name, password_hash) values ($1, $2, $2, 'x')`, [f.admin, email]);
      await prepared().admin.query(`insert into public.memberships (user_id, tenant_id, role) values ($1, $2, 'admin')`, [f.admin, f.tenant.id]);
    }
    // An API key of each: B's id and hash are what A's context tries below.
    keys = { a: await createKey(fx.a, 'a'), b: await createKey(fx.b, 'b') };
  });

  if (layout === 'two-servers') describeLayout(strategy, prepared, () => fx);

  let keys: { a: { id: string; hash: string }; b: { id: string; hash: string } };
  async function createKey(f: TenantFixture, letter: string): Promise<{ id: string; hash: string }> {
    const hash = letter.repeat(64);
    const { rows } = await prepared().tenancy.withControlPlane(
      f.tenant.slug,
      (tx) => tx.query<{ id: string }>('select public.create_api_key($1, $2, $3, $4) as id', [`key ${letter}`, 'write', `tk_${letter.repeat(8)}`, hash]),
      { role: 'admin', userId: f.admin },
    );
    return { id: rows[0]!.id, hash };
  }

  const asAdminOf = <T>(f: TenantFixture, fn: (tx: TenantTx) => Promise<T>) =>
    prepared().tenancy.withTenant(f.tenant.slug, fn, { role: 'admin', userId: f.admin });
  const inControlPlane = <T>(f: TenantFixture, fn: (tx: TenantTx) => Promise<T>) =>
    prepared().tenancy.withControlPlane(f.tenant.slug, fn, { role: 'admin', userId: f.admin });

  describe(`${strategy}: functions`, () => {
    it('the roles a tenant request runs as may execute only the known functions outside the system catalog', async () => {
      const { admin } = prepared();
      const executable = async (role: string, tenant = fx.a.tenant) =>
        (await superuserQuery(prepared(), tenant, EXECUTABLE, [role])).rows.map((r) => r.fn as string);
      // PUBLIC may execute them wherever they are: every tenant schema's and the template's too (a schema's own need
      // USAGE on it, which only its role has). Each server has its own: read them where A lives.
      const schemaFunctions = async (tenant = fx.a.tenant) =>
        strategy === 'schema' ? (await superuserQuery(prepared(), tenant, TENANT_SCHEMAS)).rows.flatMap((r) => placementFunctions(r.nspname as string)) : [];
      // public holds a placement's writers where it holds tenant tables: the primary's and the second server's (each
      // holds shared tables: the second one as a shard), a database tenant's own database.
      const publicFunctions = placementFunctions('public');
      if (strategy === 'database') {
        expect(await executable(fx.a.tenant.roleName!)).toEqual([...CONTEXT_FUNCTIONS, ...publicFunctions].sort());
      } else {
        expect((await admin.query(EXECUTABLE, ['app_user'])).rows.map((r) => r.fn)).toEqual(
          [...APP_FUNCTIONS, ...(await schemaFunctions(fx.canary.tenant))].sort(),
        );
      }
      if (strategy === 'schema')
        expect(await executable(fx.a.tenant.roleName!)).toEqual([...CONTEXT_FUNCTIONS, ...publicFunctions, ...(await schemaFunctions())].sort());
      if (layout === 'two-servers') {
        // On the second server app_user has the context functions and its shard's writers only: no catalog, no control plane.
        const onSecond = (await queryAt(prepared().second!.url, EXECUTABLE, ['app_user'])).rows;
        expect(onSecond.map((r) => r.fn)).toEqual([...CONTEXT_FUNCTIONS, ...placementFunctions('public'), ...(await schemaFunctions())].sort());
      }
    });

    it("each, called from A's context with B's identifiers, returns A's data or nothing", async () => {
      const seen = await asAdminOf(
        fx.a,
        async (tx) => (await tx.query('select tenancy.current_tenant_id() as t, tenancy.current_user_id() as u, tenancy.current_app_role() as r')).rows[0],
      );
      expect(seen).toEqual({ t: fx.a.tenant.id, u: fx.a.admin, r: 'admin' });
      const lookups = await inControlPlane(fx.a, async (tx) => {
        const refused: string[] = [];
        const expires = Math.floor(Date.now() / 1000) + 60;
        for (const [sql, params] of [
          ['select * from tenancy.resolve_tenant($1, $2, $3)', [fx.b.tenant.slug, expires, 'f'.repeat(64)]],
          ['select * from tenancy.resolve_tenant($1, $2, $3)', [fx.b.tenant.id, expires, 'f'.repeat(64)]],
          ['select * from tenancy.get_secret($1, $2, $3)', [fx.b.tenant.slug, expires, 'f'.repeat(64)]],
          ['select tenancy.catalog_version($1, $2)', [expires, 'f'.repeat(64)]],
          ['select public.set_member_role($1, $2)', [fx.b.admin, 'viewer']],
          ['select public.remove_member($1)', [fx.b.admin]],
          ['select * from public.auth_user($1)', [emails.b]],
          ['select * from public.user_memberships($1)', [fx.b.admin]],
          ['select public.revoke_api_key($1)', [keys.b.id]],
          ['select * from public.resolve_api_key($1)', [keys.b.hash]],
          ['select * from public.api_keys', []],
        ] as const) {
          await tx.query('savepoint probe');
          const error = await tx.query(sql, [...params]).then(
            () => undefined,
            (e: { code?: string }) => e.code,
          );
          await tx.query(error ? 'rollback to savepoint probe' : 'release savepoint probe');
          refused.push(error ?? 'answered');
        }
        const members = (await tx.query<{ email: string }>('select email from public.tenant_members()')).rows.map((r) => r.email);
        const apiKeys = (await tx.query('select * from public.tenant_api_keys()')).rows;
        return { refused, members, apiKeys };
      });
      // TN001: no valid proof; P0002: not a member of A, not a key of A; 42501: not granted at all.
      expect(lookups.refused).toEqual(['TN001', 'TN001', 'TN001', 'TN001', 'P0002', 'P0002', '42501', '42501', 'P0002', '42501', '42501']);
      expect(lookups.members).toEqual([emails.a]);
      // A's key only, and no column that holds a hash.
      expect(lookups.apiKeys.map((k) => k.id)).toEqual([keys.a.id]);
      expect(JSON.stringify(lookups.apiKeys)).not.toContain(keys.a.hash);
      const { rows: bKey } = await prepared().admin.query('select revoked_at from public.api_keys where id = $1', [keys.b.id]);
      expect(bKey).toEqual([{ revoked_at: null }]);
      const { rows } = await prepared().admin.query('select role from public.memberships where user_id = $1', [fx.b.admin]);
      expect(rows).toEqual([{ role: 'admin' }]);
    });
  });

  describe(`${strategy}: statistics`, () => {
    // Not rows, but what PostgreSQL tells any session about tables: column values (pg_stats' most common
    // values of shared tables), row counts, sizes, other sessions' queries. None reaches a tenant request.
    const QUESTIONS = [
      "select most_common_vals::text from pg_stats where tablename = 'projects'",
      "select n_live_tup from pg_stat_user_tables where relname = 'projects'",
      "select n_tup_ins from pg_stat_xact_user_tables where relname = 'projects'",
      'select query from pg_stat_activity',
      'select tup_inserted from pg_stat_database',
      'select count(*) from pg_locks',
      'select pg_stat_get_live_tuples($1::regclass)',
      'select pg_total_relation_size($1::regclass)',
      'select pg_relation_size($1::regclass)',
    ];

    it.each(QUESTIONS)("%s, about B's table, is refused", async (question) => {
      const target = `${fx.b.tenant.schemaName}.projects`;
      const code = await asAdminOf(fx.a, async (tx) => {
        await tx.query('savepoint probe');
        const result = await tx.query(question, question.includes('$1') ? [target] : []).then(
          () => 'answered',
          (e: { code?: string }) => e.code ?? 'error',
        );
        await tx.query(result === 'answered' ? 'release savepoint probe' : 'rollback to savepoint probe');
        return result;
      });
      expect(code).toBe('42501');
    });
  });

  if (strategy === 'schema') {
    describe('schema: B named by its qualified name', () => {
      /** A's transaction, trying `sql` after `prefix`; returns the error code, or the row count when it ran. */
      const tryAsA = (prefix: string[], sql: string, params: unknown[] = []) =>
        asAdminOf(fx.a, async (tx) => {
          await tx.query('savepoint probe');
          try {
            for (const p of prefix) await tx.query(p);
            const { rowCount } = await tx.query(sql, params);
            return rowCount;
          } catch (error) {
            return (error as { code?: string }).code;
          } finally {
            await tx.query('rollback to savepoint probe');
          }
        });
      const bProjects = () => `${fx.b.tenant.schemaName}.projects`;

      it("as the app role (RESET ROLE), A holds none of B's role's rights: B's schema is out of reach", async () => {
        expect(await tryAsA(['reset role'], `select * from ${bProjects()}`)).toBe('42501');
        expect(await tryAsA(['reset role'], `insert into ${bProjects()} (name) values ('from A')`)).toBe('42501');
      });

      it("as A's own role, B's schema is out of reach", async () => {
        expect(await tryAsA([], `select * from ${bProjects()}`)).toBe('42501');
        expect(await tryAsA([], `insert into ${bProjects()} (name) values ('from A')`)).toBe('42501');
      });

      it("assuming B's role without B's context reads nothing and writes nothing", async () => {
        const before = await superuserQuery(prepared(), fx.b.tenant, `select * from ${bProjects()} order by id`);
        const setRole = [`set local role ${pg.escapeIdentifier(fx.b.tenant.roleName!)}`];
        expect(await tryAsA(setRole, `select * from ${bProjects()}`)).toBe(0);
        // A's context stamps A's tenant id; the placement holds B's rows only.
        expect(await tryAsA(setRole, `insert into ${bProjects()} (name) values ('from A')`)).toBe('23514');
        expect(await tryAsA(setRole, `insert into ${bProjects()} (tenant_id, name) values ($1, 'from A')`, [fx.b.tenant.id])).toBe('42501');
        expect(await tryAsA(setRole, `update ${bProjects()} set name = 'from A'`)).toBe(0);
        expect(await tryAsA(setRole, `delete from ${bProjects()}`)).toBe(0);
        expect(await tryAsA(setRole, `truncate ${bProjects()} cascade`)).toBe('42501');
        expect((await superuserQuery(prepared(), fx.b.tenant, `select * from ${bProjects()} order by id`)).rows).toEqual(before.rows);
      });
    });
  }

  if (strategy === 'database') {
    it("A's database role connects to its own database only", async () => {
      const secrets = prepared().urls.tenancy?.secrets as SecretsProvider;
      const password = (await secrets.get(fx.a.tenant.slug))!;
      const home = serverOf(prepared(), fx.a.tenant);
      const attempt = async (database: string, server = home) => {
        const url = new URL(roleUrl(server.url, fx.a.tenant.roleName!, password));
        url.pathname = `/${database}`;
        const client = new pg.Client({ connectionString: url.toString() });
        try {
          await client.connect();
          return 'connected';
        } catch (error) {
          return (error as { code?: string }).code;
        } finally {
          await client.end().catch(() => undefined);
        }
      };
      expect(await attempt(fx.a.tenant.databaseName!)).toBe('connected');
      expect(await attempt(fx.b.tenant.databaseName!)).toBe('42501');
      expect(await attempt(home.name)).toBe('42501');
      if (layout === 'two-servers') {
        // The role exists on A's server only: on the primary its name and password are nobody's.
        expect(await attempt(fx.canary.tenant.databaseName!, prepared().db)).toBe('28P01');
        expect(await attempt(prepared().db.name, prepared().db)).toBe('28P01');
      }
    });
  }
}
