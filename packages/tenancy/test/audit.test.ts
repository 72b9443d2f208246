import { createHash } from 'node:crypto';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenancy, type Finding, type Severity, type Tenant } from '../src/index';
import { OWNER_ROLE } from '../src/migrations/apply';
import { RESET_FUNCTION } from '../src/setup/reset-function';
import { APP_PASSWORD, baseConfig, roleUrl, useTenancy, type Suite } from './support';

/**
 * Roles are cluster-wide and other suites run beside this one against the same server: the
 * weaknesses this suite gives a role (ALTER ROLE ... SET, INHERIT, membership) go to an app role of
 * its own, never to the app_user the other suites share.
 */
const suite = useTenancy('audit', (base) => ({ appUrl: roleUrl(base.adminUrl!, `${base.namePrefix}_app`, APP_PASSWORD) }));
const key = (f: Finding) => `${f.code}:${f.object}`;
const codes = (findings: Finding[]) => findings.map(key);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** The severity each check reports its finding with. */
const SEVERITY: Record<string, Severity> = {
  'rls-not-forced': 'high',
  'rls-disabled': 'critical',
  'context-key-readable': 'critical',
  'public-create': 'high',
  'cross-schema-access': 'critical',
  'database-connect-public': 'high',
  'context-per-row': 'medium',
  'temp-privilege': 'high',
  'create-privilege': 'high',
  'app-role-inherits-tenant-role': 'critical',
  'placement-not-pinned': 'high',
  'tenant-role-connects-elsewhere': 'high',
  'definer-function-unscoped': 'critical',
  'statistics-visible': 'medium',
  'session-functions-available': 'medium',
  'plpgsql-public': 'low',
  'context-key-stale': 'critical',
  'reset-function-missing': 'critical',
  'runtime-role-settings': 'high',
  'password-not-scram': 'medium',
};
const RANK: Severity[] = ['critical', 'high', 'medium', 'low'];

/** Superuser SQL in the suite's database, or in another database of the cluster. */
type Statement = string | { in: string; sql: string };

interface Case {
  /** Run as the superuser: each makes one weakness. */
  break: Statement[];
  repair: Statement[];
  /** `code:object` of every finding the weakness must add, and no other. */
  expected: string[];
  /**
   * Uses the weakness as the role it is about (never the superuser): true while it works. Proves
   * the break is real and that the repair took it away, so the audit is compared with the server.
   */
  probe?: () => Promise<boolean>;
  /** The break looks like a weakness but is not one: no finding, and the probe finds nothing to use. */
  harmless?: boolean;
  /** Each matching finding's message must say this (what to do). */
  message?: RegExp;
  /** Left out of the all-at-once test: it clashes with another case's break. */
  alone?: boolean;
}

interface World {
  suite: Suite;
  /** The suite's own app role, and its URL to the suite's database. */
  app: string;
  appUrl: string;
  /** The deployment's database, the template database. */
  dep: string;
  template: string;
  S1: Tenant;
  S2: Tenant;
  D1: Tenant;
  D2: Tenant;
  /** Role memberships take an inherit option per grant from PostgreSQL 16. */
  pg16: boolean;
  /** The harness started this server itself (not TEST_DATABASE_URL): its postgres database may be touched. */
  ownsServer: boolean;
  /** The findings right after setup: none (asserted below); the cases add theirs to it. */
  fresh: string[];
  /** A database tenant role's URL to a database, with its password from the SecretsProvider. */
  tenantUrl(tenant: Tenant, database?: string): Promise<string>;
}

let world: World;
const w = () => world;

/** `sql` as the role of `url`, on a connection of its own: its rows, or null when refused for lack of a privilege (or the object is gone). */
async function rowsAs(url: string, sql: string): Promise<Record<string, unknown>[] | null> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query(sql);
    return (Array.isArray(result) ? result.at(-1) : result).rows;
  } catch (error) {
    if (['42501', '42883'].includes((error as { code?: string }).code ?? '')) return null;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const allowedAs = async (url: string, sql: string) => (await rowsAs(url, sql)) !== null;

async function run(statements: readonly Statement[]): Promise<void> {
  const { admin, db } = w().suite;
  for (const statement of statements) {
    if (typeof statement === 'string') {
      await admin.query(statement);
      continue;
    }
    const client = new pg.Client({ connectionString: db.serverUrl(statement.in) });
    await client.connect();
    try {
      await client.query(statement.sql);
    } finally {
      await client.end();
    }
  }
}

/** A leak: runs as its owner (the superuser, whom row-level security never filters) and returns every tenant's notes. */
const leakyFunction = (name: string) =>
  `create function public.${name}() returns setof public.notes language sql stable security definer set search_path = pg_catalog, pg_temp
     as $$ select * from public.notes $$`;

/** S2's transaction assumes S1's role (the app role may) and writes a row of its own into S1's table: only the pin refuses it. */
async function writesIntoOtherSchema(): Promise<boolean> {
  const { suite: s, S1, S2 } = w();
  const rolledBack = new Error('probe: roll back');
  try {
    await s.tenancy.withTenant(
      S2.slug,
      async (tx) => {
        await tx.query(`set local role "${S1.roleName}"`);
        await tx.query(`insert into "${S1.schemaName}".notes (body) values ('written from S2')`);
        throw rolledBack;
      },
      { role: 'admin' },
    );
  } catch (error) {
    if (error === rolledBack) return true;
    if ((error as { code?: string }).code === '23514') return false;
    throw error;
  }
  throw new Error('unreachable');
}

/** The database tenant's own context, as its database verifies it: null once its key differs from the library's. */
async function contextRefused(tenant: Tenant): Promise<boolean> {
  const { rows } = await w().suite.tenancy.queryAs<{ id: string | null }>(tenant.slug, 'select tenancy.current_tenant_id() as id', [], { role: 'viewer' });
  return rows[0]!.id === null;
}

/** Every case: one weakness each, made on a fresh install, found, repaired, gone. */
const CASES: [string, (world: World) => Case][] = [
  // What the audit found before this round.
  [
    'rls not forced on the shared table',
    () => ({
      break: ['alter table public.notes no force row level security'],
      repair: ['alter table public.notes force row level security'],
      expected: ['rls-not-forced:public.notes'],
    }),
  ],
  [
    'rls disabled in a tenant schema',
    ({ S1 }) => ({
      break: [`alter table "${S1.schemaName}".notes disable row level security`],
      repair: [`alter table "${S1.schemaName}".notes enable row level security`],
      expected: [`rls-disabled:${S1.schemaName}.notes`],
    }),
  ],
  [
    'context key readable by the app role',
    ({ app }) => ({
      break: [`grant select on tenancy.context_key to "${app}"`],
      repair: [`revoke select on tenancy.context_key from "${app}"`],
      expected: ['context-key-readable:tenancy.context_key'],
    }),
  ],
  [
    'CREATE on the shared schema for PUBLIC',
    ({ dep, appUrl }) => ({
      break: ['grant create on schema public to public'],
      repair: ['revoke create on schema public from public'],
      expected: ['public-create:public', `create-privilege:${dep}.public`],
      probe: () => allowedAs(appUrl, 'create table public.audit_probe (x int); drop table public.audit_probe'),
    }),
  ],
  [
    'a schema tenant role may use another tenant schema',
    ({ S1, S2 }) => ({
      break: [`grant usage on schema "${S2.schemaName}" to "${S1.roleName}"`],
      repair: [`revoke usage on schema "${S2.schemaName}" from "${S1.roleName}"`],
      expected: [`cross-schema-access:${S2.schemaName}`],
    }),
  ],
  [
    'a tenant database open to PUBLIC',
    ({ D1, D2, tenantUrl }) => ({
      break: [`grant connect on database "${D1.databaseName}" to public`],
      repair: [`revoke connect on database "${D1.databaseName}" from public`],
      // PUBLIC includes the other database tenant's role.
      expected: [`database-connect-public:${D1.databaseName}`, `tenant-role-connects-elsewhere:${D1.databaseName}`],
      probe: async () => allowedAs(await tenantUrl(D2, D1.databaseName!), 'select 1'),
    }),
  ],
  [
    'a policy calling the context function per row',
    () => ({
      break: ['create policy leaky on public.notes as permissive for select using (tenant_id = tenancy.current_tenant_id())'],
      repair: ['drop policy leaky on public.notes'],
      expected: ['context-per-row:public.notes'],
    }),
  ],

  // temp-privilege
  [
    'TEMP on the deployment database for PUBLIC',
    ({ dep, appUrl }) => ({
      break: [`grant temporary on database "${dep}" to public`],
      repair: [`revoke temporary on database "${dep}" from public`],
      expected: [`temp-privilege:${dep}`],
      probe: () => allowedAs(appUrl, 'create temp table audit_probe (x int)'),
      message: /REVOKE TEMPORARY ON DATABASE/,
    }),
  ],
  [
    'TEMP on a tenant database for its role',
    ({ D1, tenantUrl }) => ({
      break: [`grant temporary on database "${D1.databaseName}" to "${D1.roleName}"`],
      repair: [`revoke temporary on database "${D1.databaseName}" from "${D1.roleName}"`],
      expected: [`temp-privilege:${D1.databaseName}`],
      probe: async () => allowedAs(await tenantUrl(D1), 'create temp table audit_probe (x int)'),
    }),
  ],
  [
    'TEMP on the template database for PUBLIC',
    ({ template }) => ({
      break: [`grant temporary on database "${template}" to public`],
      repair: [`revoke temporary on database "${template}" from public`],
      expected: [`temp-privilege:${template}`],
    }),
  ],

  // create-privilege
  [
    'CREATE on schema public for the app role',
    ({ app, dep, appUrl }) => ({
      break: [`grant create on schema public to "${app}"`],
      repair: [`revoke create on schema public from "${app}"`],
      expected: [`create-privilege:${dep}.public`],
      probe: () => allowedAs(appUrl, 'create table public.audit_probe (x int); drop table public.audit_probe'),
    }),
  ],
  [
    'CREATE on the deployment database for the app role',
    ({ app, dep, appUrl }) => ({
      break: [`grant create on database "${dep}" to "${app}"`],
      repair: [`revoke create on database "${dep}" from "${app}"`],
      expected: [`create-privilege:${dep}`],
      probe: () => allowedAs(appUrl, 'create schema audit_probe; drop schema audit_probe'),
    }),
  ],
  [
    'CREATE on schema public of a tenant database for its role',
    ({ D1, tenantUrl }) => ({
      break: [{ in: D1.databaseName!, sql: `grant create on schema public to "${D1.roleName}"` }],
      repair: [{ in: D1.databaseName!, sql: `revoke create on schema public from "${D1.roleName}"` }],
      expected: [`create-privilege:${D1.databaseName}.public`],
      probe: async () => allowedAs(await tenantUrl(D1), 'create table public.audit_probe (x int); drop table public.audit_probe'),
    }),
  ],

  // app-role-inherits-tenant-role: per grant from 16, the member's attribute on 15.
  [
    'the app role inherits a schema tenant role',
    ({ app, S1, S2, pg16, appUrl }) => ({
      break: [pg16 ? `grant "${S1.roleName}" to "${app}" with inherit true` : `alter role "${app}" inherit`],
      repair: [pg16 ? `grant "${S1.roleName}" to "${app}" with inherit false` : `alter role "${app}" noinherit`],
      expected: pg16
        ? [`app-role-inherits-tenant-role:${S1.roleName}`]
        : [`app-role-inherits-tenant-role:${S1.roleName}`, `app-role-inherits-tenant-role:${S2.roleName}`],
      // Without SET ROLE, and without any context: the schema itself is within reach.
      probe: () => allowedAs(appUrl, `select count(*) from "${S1.schemaName}".notes`),
    }),
  ],

  // placement-not-pinned
  [
    'a schema tenant table without its pin',
    ({ S1 }) => ({
      break: [`alter table "${S1.schemaName}".notes drop constraint tenancy_tenant_pin`],
      repair: [`alter table "${S1.schemaName}".notes add constraint tenancy_tenant_pin check (tenant_id = '${S1.id}'::uuid)`],
      expected: [`placement-not-pinned:${S1.schemaName}.notes`],
      probe: writesIntoOtherSchema,
    }),
  ],
  [
    'a schema tenant table pinned to another tenant',
    ({ S1, S2 }) => ({
      break: [
        `alter table "${S1.schemaName}".notes drop constraint tenancy_tenant_pin, add constraint tenancy_tenant_pin check (tenant_id = '${S2.id}'::uuid)`,
      ],
      repair: [
        `alter table "${S1.schemaName}".notes drop constraint tenancy_tenant_pin, add constraint tenancy_tenant_pin check (tenant_id = '${S1.id}'::uuid)`,
      ],
      expected: [`placement-not-pinned:${S1.schemaName}.notes`],
      probe: writesIntoOtherSchema,
      alone: true,
    }),
  ],
  [
    'a tenant database table without its pin',
    ({ D1 }) => ({
      break: [{ in: D1.databaseName!, sql: 'alter table public.notes drop constraint tenancy_tenant_pin' }],
      repair: [{ in: D1.databaseName!, sql: `alter table public.notes add constraint tenancy_tenant_pin check (tenant_id = '${D1.id}'::uuid)` }],
      expected: [`placement-not-pinned:${D1.databaseName}.notes`],
    }),
  ],

  // tenant-role-connects-elsewhere
  ...(process.env.TEST_DATABASE_URL
    ? []
    : ([
        [
          'the cluster`s postgres database open to PUBLIC',
          ({ D1, tenantUrl }) => ({
            break: ['grant connect on database postgres to public'],
            repair: ['revoke connect on database postgres from public'],
            expected: ['tenant-role-connects-elsewhere:postgres'],
            probe: async () => allowedAs(await tenantUrl(D1, 'postgres'), 'select 1'),
          }),
        ],
      ] as [string, (world: World) => Case][])),
  [
    'a database tenant role may connect to another tenant database',
    ({ D1, D2, tenantUrl }) => ({
      break: [`grant connect on database "${D2.databaseName}" to "${D1.roleName}"`],
      repair: [`revoke connect on database "${D2.databaseName}" from "${D1.roleName}"`],
      expected: [`tenant-role-connects-elsewhere:${D2.databaseName}`],
      probe: async () => allowedAs(await tenantUrl(D1, D2.databaseName!), 'select 1'),
    }),
  ],
  [
    'a database tenant role may connect to the deployment database',
    ({ D1, dep, tenantUrl }) => ({
      break: [`grant connect on database "${dep}" to "${D1.roleName}"`],
      repair: [`revoke connect on database "${dep}" from "${D1.roleName}"`],
      expected: [`tenant-role-connects-elsewhere:${dep}`],
      probe: async () => allowedAs(await tenantUrl(D1, dep), 'select 1'),
    }),
  ],
  [
    'a database tenant role may connect to the template',
    ({ D2, template, tenantUrl }) => ({
      break: [`grant connect on database "${template}" to "${D2.roleName}"`],
      repair: [`revoke connect on database "${template}" from "${D2.roleName}"`],
      expected: [`tenant-role-connects-elsewhere:${template}`],
      probe: async () => allowedAs(await tenantUrl(D2, template), 'select 1'),
    }),
  ],

  // definer-function-unscoped
  [
    'a SECURITY DEFINER function returning every tenant`s rows, granted to the app role',
    ({ app, dep, appUrl }) => ({
      break: [
        leakyFunction('audit_leak'),
        'revoke all on function public.audit_leak() from public',
        `grant execute on function public.audit_leak() to "${app}"`,
      ],
      repair: ['drop function public.audit_leak()'],
      expected: [`definer-function-unscoped:${dep}.public.audit_leak()`],
      // No context at all, yet both rls tenants' notes.
      probe: async () => Number((await rowsAs(appUrl, 'select count(distinct tenant_id)::int as n from public.audit_leak()'))?.[0]?.n ?? 0) >= 2,
    }),
  ],
  [
    'a SECURITY DEFINER function scoped by the tenant context is fine',
    ({ app, appUrl }) => ({
      break: [
        `create function public.audit_scoped() returns setof public.notes language sql stable security definer set search_path = pg_catalog, pg_temp
         as $$ select * from public.notes where tenant_id = tenancy.current_tenant_id() $$`,
        'revoke all on function public.audit_scoped() from public',
        `grant execute on function public.audit_scoped() to "${app}"`,
      ],
      repair: ['drop function public.audit_scoped()'],
      expected: [],
      harmless: true,
      probe: async () => Number((await rowsAs(appUrl, 'select count(*)::int as n from public.audit_scoped()'))?.[0]?.n ?? 0) > 0,
    }),
  ],
  [
    'a SECURITY DEFINER function executable by PUBLIC in a tenant database',
    ({ D1 }) => ({
      break: [{ in: D1.databaseName!, sql: leakyFunction('audit_leak') }],
      repair: [{ in: D1.databaseName!, sql: 'drop function public.audit_leak()' }],
      expected: [`definer-function-unscoped:${D1.databaseName}.public.audit_leak()`],
    }),
  ],

  // statistics-visible
  [
    'pg_stats readable by the app role',
    ({ app, dep, appUrl }) => ({
      break: [`grant select on pg_catalog.pg_stats to "${app}"`],
      repair: [`revoke select on pg_catalog.pg_stats from "${app}"`],
      expected: [`statistics-visible:${dep}`],
      probe: () => allowedAs(appUrl, 'select count(*) from pg_catalog.pg_stats'),
      message: /superuser/,
    }),
  ],
  [
    'pg_stat_get_live_tuples executable by a tenant role in its database',
    ({ D1, tenantUrl }) => ({
      break: [{ in: D1.databaseName!, sql: `grant execute on function pg_catalog.pg_stat_get_live_tuples(oid) to "${D1.roleName}"` }],
      repair: [{ in: D1.databaseName!, sql: `revoke execute on function pg_catalog.pg_stat_get_live_tuples(oid) from "${D1.roleName}"` }],
      expected: [`statistics-visible:${D1.databaseName}`],
      probe: async () => allowedAs(await tenantUrl(D1), `select pg_catalog.pg_stat_get_live_tuples('public.notes'::regclass)`),
    }),
  ],

  // session-functions-available
  [
    'session advisory locks for the app role',
    ({ app, dep, appUrl }) => ({
      break: [`grant execute on function pg_catalog.pg_advisory_lock(bigint) to "${app}"`],
      repair: [`revoke execute on function pg_catalog.pg_advisory_lock(bigint) from "${app}"`],
      expected: [`session-functions-available:${dep}`],
      probe: () => allowedAs(appUrl, 'select pg_catalog.pg_advisory_lock(4242)'),
    }),
  ],

  // plpgsql-public
  [
    'plpgsql usable by PUBLIC',
    ({ dep, appUrl }) => ({
      break: ['grant usage on language plpgsql to public'],
      repair: ['revoke usage on language plpgsql from public'],
      expected: [`plpgsql-public:${dep}`],
      probe: () => allowedAs(appUrl, 'do $$ begin end $$'),
    }),
  ],

  // context-key-stale: swapping the pads changes the key, and swapping again restores it.
  [
    'a tenant database holding another context key',
    ({ D1 }) => ({
      break: [{ in: D1.databaseName!, sql: 'update tenancy.context_key set ipad = opad, opad = ipad where id = 1' }],
      repair: [{ in: D1.databaseName!, sql: 'update tenancy.context_key set ipad = opad, opad = ipad where id = 1' }],
      expected: [`context-key-stale:${D1.databaseName}`],
      probe: () => contextRefused(D1),
      message: /rotateContextSecret/,
    }),
  ],
  [
    'the template holding another context key',
    ({ template }) => ({
      break: [{ in: template, sql: 'update tenancy.context_key set ipad = opad, opad = ipad where id = 1' }],
      repair: [{ in: template, sql: 'update tenancy.context_key set ipad = opad, opad = ipad where id = 1' }],
      expected: [`context-key-stale:${template}`],
    }),
  ],

  // reset-function-missing
  [
    'tenancy.reset_session(text) dropped from a tenant database',
    ({ D1, suite: s }) => ({
      break: [{ in: D1.databaseName!, sql: 'drop routine tenancy.reset_session(text)' }],
      repair: [
        {
          in: D1.databaseName!,
          sql: `${RESET_FUNCTION}; alter routine tenancy.reset_session(text) owner to ${OWNER_ROLE}; grant execute on routine tenancy.reset_session(text) to public`,
        },
      ],
      expected: [`reset-function-missing:${D1.databaseName}`],
      probe: () =>
        s.tenancy.queryAs(D1.slug, 'select 1').then(
          () => false,
          (error: Error) => /reset_session/.test(error.message),
        ),
    }),
  ],
  [
    'a function tenancy.reset_session(text) (what earlier versions installed) instead of the procedure',
    ({ D2, suite: s }) => ({
      break: [
        {
          in: D2.databaseName!,
          sql: `drop routine tenancy.reset_session(text); create function tenancy.reset_session(application_name text default null) returns void language sql as 'select null::void'; grant execute on function tenancy.reset_session(text) to public`,
        },
      ],
      repair: [
        {
          in: D2.databaseName!,
          sql: `drop routine tenancy.reset_session(text); ${RESET_FUNCTION}; alter routine tenancy.reset_session(text) owner to ${OWNER_ROLE}; grant execute on routine tenancy.reset_session(text) to public`,
        },
      ],
      expected: [`reset-function-missing:${D2.databaseName}`],
      probe: () =>
        s.tenancy.queryAs(D2.slug, 'select 1').then(
          () => false,
          (error: Error) => /reset_session/.test(error.message),
        ),
    }),
  ],

  // runtime-role-settings
  [
    'a stored statement_timeout for the app role',
    ({ app, appUrl }) => ({
      break: [`alter role "${app}" set statement_timeout = 1`],
      repair: [`alter role "${app}" reset all`],
      expected: [`runtime-role-settings:${app}`],
      // A new connection of the role starts with it (SHOW itself may already be cancelled by it).
      probe: () =>
        rowsAs(appUrl, 'show statement_timeout').then(
          (rows) => rows?.[0]?.statement_timeout !== '0',
          (error: { code?: string }) => {
            if (error.code === '57014') return true;
            throw error;
          },
        ),
      message: /ALTER ROLE "[^"]+" RESET ALL/,
    }),
  ],
  [
    'a stored default_transaction_read_only for a tenant role in its database',
    ({ D1, tenantUrl }) => ({
      break: [`alter role "${D1.roleName}" in database "${D1.databaseName}" set default_transaction_read_only = on`],
      repair: [`alter role "${D1.roleName}" in database "${D1.databaseName}" reset all`],
      expected: [`runtime-role-settings:${D1.roleName}`],
      probe: async () => (await rowsAs(await tenantUrl(D1), 'show default_transaction_read_only'))?.[0]?.default_transaction_read_only === 'on',
      message: /IN DATABASE .* RESET ALL/,
    }),
  ],
];

/** A tenant role's md5 password; its SCRAM verifier is put back afterwards. Needs pg_authid, which the test server's role reads. */
async function passwordCase({ D1, suite: s }: World): Promise<Case> {
  const { rows } = await s.admin.query<{ verifier: string }>('select rolpassword as verifier from pg_authid where rolname = $1', [D1.roleName]);
  const md5 = `md5${createHash('md5').update(`not-the-password${D1.roleName}`).digest('hex')}`;
  return {
    break: [`alter role "${D1.roleName}" password '${md5}'`],
    repair: [`alter role "${D1.roleName}" password '${rows[0]!.verifier}'`],
    expected: [`password-not-scram:${D1.roleName}`],
  };
}

async function exercise(c: Case): Promise<void> {
  const { suite: s, fresh } = w();
  await run(c.break);
  try {
    const { findings } = await s.tenancy.audit();
    expect(sorted(codes(findings))).toEqual(sorted([...fresh, ...c.expected]));
    for (const finding of findings.filter((f) => c.expected.includes(key(f)))) {
      expect(finding.severity, key(finding)).toBe(SEVERITY[finding.code]);
      if (c.message) expect(finding.message).toMatch(c.message);
    }
    if (c.probe) expect(await c.probe(), 'the weakness, used as the role it is about').toBe(!c.harmless);
  } finally {
    await run(c.repair);
  }
  expect(sorted(codes((await s.tenancy.audit()).findings))).toEqual(sorted(fresh));
  if (c.probe) expect(await c.probe(), 'the weakness after the repair').toBe(false);
}

describe('audit()', () => {
  beforeAll(async () => {
    const s = suite();
    const { tenancy, admin, db } = s;
    for (const strategy of ['rls', 'schema', 'database'] as const) {
      for (const n of [1, 2]) await tenancy.createTenant({ slug: `aud_${strategy}_${n}`, name: `${strategy} ${n}`, strategy });
    }
    for (const slug of ['aud_rls_1', 'aud_rls_2']) await tenancy.queryAs(slug, `insert into notes (body) values ('note of ${slug}')`, [], { role: 'admin' });
    const { rows } = await admin.query<{ v: number; dep: string }>(`select current_setting('server_version_num')::int as v, current_database() as dep`);
    const secrets = tenancy.config.secrets!;
    world = {
      suite: s,
      app: `${tenancy.config.namePrefix}_app`,
      appUrl: tenancy.config.appUrl,
      dep: rows[0]!.dep,
      template: `${tenancy.config.namePrefix}_template`,
      S1: await tenancy.getTenant('aud_schema_1'),
      S2: await tenancy.getTenant('aud_schema_2'),
      D1: await tenancy.getTenant('aud_database_1'),
      D2: await tenancy.getTenant('aud_database_2'),
      pg16: rows[0]!.v >= 160000,
      ownsServer: db.kind !== 'env',
      fresh: [],
      tenantUrl: async (tenant, database) => roleUrl(db.serverUrl(database ?? tenant.databaseName!), tenant.roleName!, (await secrets.get(tenant.slug))!),
    };
    world.fresh = codes((await tenancy.audit()).findings);
  });

  it('finds nothing on a fresh install with tenants of every strategy', async () => {
    const report = await suite().tenancy.audit();
    expect(
      report.findings,
      w().ownsServer
        ? 'the setup leaves a weakness'
        : 'TEST_DATABASE_URL`s server: its postgres and template1 databases may still be open to PUBLIC (REVOKE CONNECT there)',
    ).toEqual([]);
    expect(report.placements).toBe(1 + 2 + 2);
  });

  describe('reports each weakness made on purpose, exactly, and nothing once it is repaired', () => {
    for (const [name, make] of CASES) it(name, () => exercise(make(w())));
    it('a tenant role with an md5 password', async () => exercise(await passwordCase(w())));
  });

  it('reports every weakness at once, most severe first, and nothing once all are undone', async () => {
    const { tenancy } = suite();
    const all = [...CASES.map(([, make]) => make(w())), await passwordCase(w())].filter((c) => !c.alone);
    const applied: Case[] = [];
    try {
      for (const c of all) {
        await run(c.break);
        applied.push(c);
      }
      const report = await tenancy.audit();
      expect(sorted(codes(report.findings))).toEqual(sorted([...w().fresh, ...all.flatMap((c) => c.expected)]));
      const severities = report.findings.map((f) => f.severity);
      expect(severities).toEqual([...severities].sort((a, b) => RANK.indexOf(a) - RANK.indexOf(b)));
    } finally {
      for (const c of applied.reverse()) await run(c.repair);
    }
    expect(sorted(codes((await tenancy.audit()).findings))).toEqual(sorted(w().fresh));
  });

  it('flags a runtime role that bypasses row-level security', async () => {
    const { db, admin } = suite();
    const role = `${suite().tenancy.config.namePrefix}bypass`;
    await admin.query(`create role "${role}" login bypassrls password 'pw'`);
    const tenancy = createTenancy({ ...baseConfig(db), namePrefix: suite().tenancy.config.namePrefix, appUrl: roleUrl(db.url, role, 'pw') });
    try {
      const report = await tenancy.audit();
      expect(codes(report.findings)).toContain(`runtime-role-bypassrls:${role}`);
    } finally {
      await tenancy.close();
      await admin.query(`drop role "${role}"`);
    }
  });
});
