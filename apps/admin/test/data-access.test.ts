import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectionUrlUses,
  described,
  gateViolations,
  importedNames,
  processEnvUses,
  scanDataAccess,
  sourceFiles,
  valueImports,
  type AllowedModule,
  type DataAccessRules,
} from '@repo/fitness';
import { describe, expect, it } from 'vitest';

/*
 * The rules this app is built on, as apps/web's test of the same name checks its own: the admin reaches its databases
 * through two modules only, src/server/operator-db.ts (app_operator: every read, and the writes it is granted) and
 * src/server/tenancy.ts (the owner connection, through the tenancy library: provisioning, deletion, migrations, the
 * audit). Pages, components and lib never touch either: they call a function of src/server/. This test reads every
 * source file with the TypeScript parser (comments and strings do not count) and fails when
 *   - a file outside src/server/ imports a driver or a database module, calls the tenancy or a query function, or opens
 *     a connection;
 *   - a file takes a value of one of the gate modules below without being named as an importer of that value (imports
 *     are followed through re-exports, barrels, namespace and dynamic imports, by @repo/fitness's valueImports);
 *   - a file other than src/env.ts reads process.env;
 *   - the owner's URL (ADMIN_DATABASE_URL) or app_operator's (OPERATOR_DATABASE_URL) is read outside its one module.
 * test/fixtures/data-access/ holds files that bypass the per-file scan; the test checks it catches each.
 */

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/data-access', import.meta.url));

/** The modules that hold a connection, why, and who may take which of their values. */
const GATES: Record<string, AllowedModule> = {
  'server/operator-db.ts': {
    why: "app_operator's pool: the catalog, sizes, connections, users, operators and tenants' plans",
    importers: {
      'server/auth/options.ts': ['operatorQuery'],
      'server/auth/sessions.ts': ['operatorDb'],
      'server/auth/sign-in-limits.ts': ['operatorDb'],
      'server/session.ts': ['operatorQuery'],
      'server/queries/catalog.ts': ['operatorQuery'],
      'server/queries/storage.ts': ['operatorQuery'],
      'server/provision.ts': ['operatorDb', 'operatorQuery', 'operatorTransaction'],
      'server/queries/plans.ts': ['operatorDb'],
      'server/plan.ts': ['operatorDb'],
    },
  },
  'server/tenancy.ts': {
    why: 'the owner connection, through the tenancy library: lifecycle steps, moves, exports and restores, migrations, the audit, pools, row counts under RLS, support views (app_user, a support context)',
    importers: {
      'server/delete.ts': ['tenancy'],
      'server/export.ts': ['tenancy'],
      'server/migrate.ts': ['tenancy'],
      'server/move.ts': ['tenancy'],
      'server/plan.ts': ['tenancy'],
      'server/provision.ts': ['onLifecycleStep', 'tenancy'],
      'server/queries/audit.ts': ['tenancy'],
      // The primary's name (config), for catalog rows whose server is null.
      'server/queries/catalog.ts': ['tenancy'],
      'server/queries/pools.ts': ['tenancy'],
      'server/queries/tenant-overview.ts': ['tenancy'],
      'server/queries/tenant-rows.ts': ['tenancy'],
      'server/restore.ts': ['tenancy'],
      'server/servers.ts': ['tenancy'],
      'server/support.ts': ['tenancy'],
    },
  },
  'server/auth/sessions.ts': {
    why: 'operator sessions are created, checked and ended as app_operator before anyone is signed in',
    importers: { 'server/auth/options.ts': ['sessionStore'] },
  },
  'server/auth/sign-in-limits.ts': {
    why: 'failed operator sign-ins are counted before anyone is signed in',
    importers: { 'server/auth/route.ts': ['signInLimiter'] },
  },
};

/** Modules that open connections or build a tenancy. @repo/tenancy itself is not one: pages read its constants (STRATEGIES, SLUG_PATTERN). */
const DATABASE_MODULES = [
  /^pg$/,
  /^pg-/,
  /^postgres$/,
  /^@repo\/db$/,
  /^@repo\/db\/(tenancy|secrets|local|prepare|seed|init-sql|operators)$/,
  /^@repo\/localdb(\/.*)?$/,
  /^drizzle-orm\/(node-postgres|postgres-js|pg-proxy|neon.*|vercel-postgres)(\/.*)?$/,
];

const RULES: DataAccessRules = {
  root: SRC,
  databaseModules: DATABASE_MODULES,
  calls: new Set(['withTenant', 'withControlPlane', 'queryAs', 'createTenancy', 'createAppTenancy']),
  bareCalls: new Set(['tenancy', 'drizzle', 'operatorDb', 'operatorQuery', 'operatorTransaction']),
  constructors: new Set(['Pool', 'Client']),
};

const PROCESS_ENV_ALLOWED: Record<string, string> = {
  'env.ts': 'the one place configuration is read',
  'instrumentation.ts': 'NEXT_RUNTIME, a constant Next inlines per bundle',
  'instrumentation-node.ts': 'NEXT_PHASE, set by Next for the build',
};

/** Each connection URL and the modules that may read it. */
const URL_READERS: Record<string, readonly string[]> = {
  ADMIN_DATABASE_URL: ['server/tenancy.ts'],
  DATABASE_URL: ['server/tenancy.ts'],
  // The pool's connection; the tenancy is told it too, so that setup() and the audit know app_operator's role name.
  OPERATOR_DATABASE_URL: ['server/operator-db.ts', 'server/tenancy.ts'],
};

const files = sourceFiles(SRC);
const relative = (file: string) => path.relative(SRC, file);
const scan = (file: string) => scanDataAccess(file, RULES);
const scanImports = (overlay: Record<string, string> = {}) => valueImports({ tsconfig: TSCONFIG, files, root: SRC, overlay });

describe('pages, components and lib reach the databases only through src/server/', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(30);
    for (const gate of Object.keys(GATES)) expect(files, 'a renamed gate cannot silently widen the list').toContain(path.join(SRC, gate));
  });

  it('no file outside src/server/ imports a driver or a database module, calls a query function, or opens a connection', () => {
    const findings = files.filter((file) => !relative(file).startsWith(`server${path.sep}`)).flatMap(scan);
    expect(described(findings)).toEqual([]);
  });

  it('only src/server/operator-db.ts opens a connection, and only src/server/tenancy.ts builds the tenancy', () => {
    const findings = files.flatMap(scan);
    const opens = findings.filter((f) => f.what.startsWith('opens a connection') || f.what === 'imports "pg"');
    expect(new Set(opens.map((f) => f.file))).toEqual(new Set(['server/operator-db.ts']));
    const builds = findings.filter((f) => f.what === 'calls createAppTenancy()' || f.what.startsWith('imports "@repo/db/'));
    expect(new Set(builds.map((f) => f.file))).toEqual(new Set(['server/tenancy.ts']));
  });

  it('the scan sees what the gates do (the check is not vacuous)', () => {
    expect(scan(path.join(SRC, 'server/operator-db.ts')).map((f) => f.what)).toEqual(expect.arrayContaining(['imports "pg"', 'opens a connection (new Pool)']));
    expect(scan(path.join(SRC, 'server/tenancy.ts')).map((f) => f.what)).toEqual(
      expect.arrayContaining(['imports "@repo/db/tenancy"', 'calls createAppTenancy()']),
    );
    expect(scan(path.join(SRC, 'server/queries/catalog.ts')).map((f) => f.what)).toContain('calls operatorQuery()');
  });
});

describe('a gate module’s values are taken only by the files named for them', () => {
  const imports = scanImports();

  it('no file takes a value of a gate unless it is named as an importer of that value', () => {
    expect(gateViolations(imports, GATES)).toEqual([]);
  });

  it('every importer named above still imports what it is allowed, so the list cannot silently widen', () => {
    for (const [module, { importers }] of Object.entries(GATES)) {
      if (importers === 'anyone') continue;
      for (const [file, names] of Object.entries(importers))
        expect(importedNames(imports, module, file), `${file} imports from ${module}`).toEqual([...names].sort());
    }
  });

  it.each([
    [
      'page-imports-operator-query.ts',
      'app/(console)/leak/page.tsx',
      ['app/(console)/leak/page.tsx:4 takes operatorQuery of server/operator-db.ts (via "@/server/operator-db")'],
    ],
    [
      'component-imports-tenancy-namespace.ts',
      'components/leak.tsx',
      [
        'components/leak.tsx:4 takes * of server/tenancy.ts (via "../server/tenancy")',
        'components/leak.tsx:4 takes tenancy of server/tenancy.ts (via "../server/tenancy")',
        'components/leak.tsx:4 takes onLifecycleStep of server/tenancy.ts (via "../server/tenancy")',
      ],
    ],
  ])('fixture %s: taking a gate’s value outside its named importers is caught', (fixture, as, expected) => {
    const text = readFileSync(path.join(FIXTURES, fixture), 'utf8');
    const violations = gateViolations(scanImports({ [path.join(SRC, as)]: text }), GATES);
    expect(violations.sort()).toEqual([...expected].sort());
  });
});

describe('configuration comes from src/env.ts, and each connection URL from one module', () => {
  it('no other file reads process.env', () => {
    const findings = files.filter((file) => !(relative(file) in PROCESS_ENV_ALLOWED)).flatMap((file) => processEnvUses(file, SRC));
    expect(described(findings)).toEqual([]);
  });

  it('each connection URL is read only by the modules named for it, and each of them reads it', () => {
    const uses = files.filter((file) => relative(file) !== 'env.ts').flatMap((file) => connectionUrlUses(file, SRC));
    const misplaced = uses.filter((use) => !(URL_READERS[use.what] ?? []).includes(use.file));
    expect(described(misplaced)).toEqual([]);
    for (const [name, readers] of Object.entries(URL_READERS)) {
      for (const reader of readers) expect(uses.filter((use) => use.what === name && use.file === reader).length, `${reader} reads ${name}`).toBeGreaterThan(0);
    }
  });
});
