import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectionUrlUses,
  described,
  fileText,
  gateViolations as gateViolationsOf,
  importedNames,
  processEnvUses as processEnvUsesIn,
  scanDataAccess,
  sourceFiles,
  valueImports,
  type AllowedModule,
  type DataAccessRules,
  type ValueImport,
} from '@repo/fitness';
import { describe, expect, it } from 'vitest';

/*
 * The rule this app is built on: every server-side data access goes through src/server/tenant-data.ts, which
 * reads the session and calls tenancy.withTenant / withControlPlane. This test reads every source file (with the
 * TypeScript parser, so comments and strings do not count) and fails when any other file
 *   - imports a database driver, the tenancy library or the tenancy singleton (type-only imports are fine),
 *   - calls withTenant / withControlPlane / queryAs / tenancy() itself,
 *   - opens a pool, a client or a drizzle instance,
 *   - reads process.env (configuration goes through src/env.ts).
 * The exceptions are named here, each with its reason and with the files that may take values from it: importing an
 * allowed module is reaching the database too, so imports are followed to where each value is declared
 * (@repo/fitness's valueImports: through re-exports, barrels, namespace and dynamic imports), and a value of an
 * allowed module taken by any other file fails the test. test/fixtures/data-access/ holds files that bypass the
 * per-file scan that way; the test checks it catches each. It also checks that the sign-in lookups keep a role of
 * their own: only src/server/auth/accounts.ts uses AUTH_DATABASE_URL (app_auth), and that module uses no other
 * connection.
 */

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/data-access', import.meta.url));

/** Files allowed to reach the database, why, and who may import what from them. */
const DATA_ACCESS_ALLOWED: Record<string, AllowedModule> = {
  'server/tenant-data.ts': { why: 'THE helper: session -> tenancy.withTenant / withControlPlane', importers: 'anyone' },
  'server/tenancy.ts': {
    why: 'builds the tenancy singleton from env',
    importers: { 'server/tenant-data.ts': ['tenancy'] },
  },
  'server/auth/accounts.ts': {
    why: 'sign-in (auth_user) and membership checks (user_memberships) happen before any tenant is known, as app_auth',
    importers: {
      'server/auth/options.ts': ['verifyCredentials'],
      'server/session.ts': ['loadMemberships'],
      // Clears this process's membership cache after a role change; reads nothing.
      'app/o/[slug]/members/actions.ts': ['forgetMemberships'],
      'server/auth/sessions.ts': ['authPool'],
      'server/auth/sign-in-limits.ts': ['authPool'],
      'server/auth/api-keys.ts': ['authPool'],
      'server/accounts/store.ts': ['authPool'],
      'server/accounts/limits.ts': ['authPool'],
      'server/jobs/queue.ts': ['authPool'],
      'server/accounts/password.ts': ['authPool', 'verifyCredentials'],
      'server/accounts/invitations.ts': ['authPool'],
      // Clears this process's membership cache after an invitation is accepted; reads nothing.
      'app/invite/actions.ts': ['forgetMemberships'],
    },
  },
  'server/accounts/invitations.ts': {
    why: 'an invitation link is issued, shown and accepted as app_auth: its holder is not (yet) a member of the organisation',
    importers: {
      'server/jobs/account-mail.ts': ['issueInvitationToken'],
      'app/invite/page.tsx': ['invitationByToken'],
      'app/invite/actions.ts': ['acceptInvitation', 'signUpInvited'],
    },
  },
  'server/accounts/password.ts': {
    why: "a signed-in user's password change checks the current password and sets the new one as app_auth (set_user_password)",
    importers: { 'app/account/actions.ts': ['changeOwnPassword'] },
  },
  'server/accounts/store.ts': {
    why: 'sign-up, email confirmation and password reset happen before anyone is signed in, as app_auth (migration 0011_accounts)',
    importers: {
      'app/sign-up/actions.ts': ['createAccount'],
      'app/verify-email/actions.ts': ['confirmEmail'],
      'app/reset-password/actions.ts': ['resetPassword'],
      'server/jobs/account-mail.ts': ['issueToken', 'userIdByEmail'],
    },
  },
  'server/accounts/limits.ts': {
    why: 'sign-ups and reset requests are counted before anyone is signed in, as app_auth',
    importers: { 'app/sign-up/actions.ts': ['accountMailLimiter'], 'app/forgot-password/actions.ts': ['accountMailLimiter'] },
  },
  'server/jobs/queue.ts': {
    why: "the job queue: pg-boss's tables as app_auth; tenant jobs run through jobTenancy() like requests",
    importers: {
      'server/jobs/start.ts': ['startJobs'],
      'app/sign-up/actions.ts': ['sendJob'],
      'app/forgot-password/actions.ts': ['sendJob'],
      'app/o/[slug]/members/invitation-actions.ts': ['sendJob'],
    },
  },
  'server/auth/api-keys.ts': {
    why: 'an API key is resolved to its tenant (resolve_api_key) and its requests counted before any tenant context exists, as app_auth',
    importers: { 'server/tenant-data.ts': ['resolveApiKey', 'consumeApiRequest'] },
  },
  'server/auth/sessions.ts': {
    why: 'server-side sessions are created, checked and ended before any tenant is known, as app_auth',
    importers: { 'server/auth/options.ts': ['sessionStore'] },
  },
  'server/auth/sign-in-limits.ts': {
    why: 'failed sign-in attempts are counted before anyone is signed in, as app_auth',
    importers: { 'server/auth/route.ts': ['signInLimiter'] },
  },
};

/** Modules that open connections or carry the tenancy instance. */
const DATABASE_MODULES = [
  /^pg$/,
  /^pg-/,
  /^postgres$/,
  // The library's slug rule (@repo/tenancy/slug) is a module without imports, for forms.
  /^@repo\/tenancy(?!\/slug$)(\/.*)?$/,
  /^@repo\/jobs$/,
  /^@repo\/db$/,
  /^@repo\/db\/(tenancy|secrets|local|prepare|seed|init-sql|operators)$/,
  /^@repo\/localdb(\/.*)?$/,
  /^drizzle-orm\/(node-postgres|postgres-js|pg-proxy|neon.*|vercel-postgres)(\/.*)?$/,
];

const RULES: DataAccessRules = {
  root: SRC,
  databaseModules: DATABASE_MODULES,
  calls: new Set(['withTenant', 'withControlPlane', 'queryAs']),
  bareCalls: new Set(['tenancy', 'drizzle']),
  constructors: new Set(['Pool', 'Client']),
  singleton: { module: 'server/tenancy.ts', importer: 'server/tenant-data.ts' },
};
const scan = (file: string) => scanDataAccess(file, RULES);
const processEnvUses = (file: string) => processEnvUsesIn(file, SRC);

const PROCESS_ENV_ALLOWED: Record<string, string> = {
  'env.ts': 'the one place configuration is read',
  'instrumentation.ts': 'NEXT_RUNTIME, a constant Next inlines per bundle',
};

const files = sourceFiles(SRC);

describe('data access goes through src/server/tenant-data.ts', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files).toContain(path.join(SRC, 'server/tenant-data.ts'));
  });

  it('no other file imports a driver or the tenancy library, calls withTenant, or opens a connection', () => {
    const findings = files.filter((file) => !(path.relative(SRC, file) in DATA_ACCESS_ALLOWED)).flatMap(scan);
    expect(described(findings)).toEqual([]);
  });

  it('the helper itself is what the scan would catch (the check is not vacuous)', () => {
    const helper = scan(path.join(SRC, 'server/tenant-data.ts')).map((f) => f.what);
    expect(helper).toEqual(expect.arrayContaining(['calls withTenant()', 'calls withControlPlane()', 'calls queryAs()', 'calls tenancy()']));
    const singleton = scan(path.join(SRC, 'server/tenancy.ts')).map((f) => f.what);
    expect(singleton).toEqual(expect.arrayContaining(['imports "@repo/db/tenancy"']));
  });

  it('every allowed file exists, so a rename cannot silently widen the list', () => {
    for (const allowed of Object.keys(DATA_ACCESS_ALLOWED)) expect(files).toContain(path.join(SRC, allowed));
  });

  it('only the helper imports the tenancy singleton, allowed files included', () => {
    const findings = files.flatMap(scan).filter((f) => f.what.startsWith('imports the tenancy singleton'));
    expect(described(findings)).toEqual([]);
  });
});

const gateViolations = (imports: readonly ValueImport[]) => gateViolationsOf(imports, DATA_ACCESS_ALLOWED);

const scanImports = (overlay: Record<string, string> = {}) => valueImports({ tsconfig: TSCONFIG, files, root: SRC, overlay });

describe('importing an allowed module is reaching the database: imports are followed', () => {
  const imports = scanImports();

  it('no file takes a value of an allowed module unless it is named as an importer of that value', () => {
    expect(gateViolations(imports)).toEqual([]);
  });

  it('every importer named above still imports what it is allowed, so the list cannot silently widen', () => {
    for (const [module, { importers }] of Object.entries(DATA_ACCESS_ALLOWED)) {
      if (importers === 'anyone') continue;
      for (const [file, names] of Object.entries(importers)) {
        expect(importedNames(imports, module, file), `${file} imports from ${module}`).toEqual([...names].sort());
      }
    }
  });

  /** A fixture file placed at `as` (a path inside src/), with `extra` files of its own beside it. */
  const bypass = (fixture: string, as: string, extra: Record<string, string> = {}) => {
    const overlay = { [path.join(SRC, as)]: readFileSync(path.join(FIXTURES, fixture), 'utf8'), ...extra };
    return { scanned: scan(path.join(FIXTURES, fixture)), violations: gateViolations(scanImports(overlay)) };
  };

  it.each([
    [
      'query-imports-session-store.ts',
      'server/queries/leak.ts',
      ['server/queries/leak.ts:4 takes sessionStore of server/auth/sessions.ts (via "../auth/sessions")'],
    ],
    [
      'query-imports-accounts-namespace.ts',
      'server/queries/people.ts',
      [
        'server/queries/people.ts:3 takes * of server/auth/accounts.ts (via "@/server/auth/accounts")',
        'server/queries/people.ts:3 takes verifyCredentials of server/auth/accounts.ts (via "@/server/auth/accounts")',
        'server/queries/people.ts:3 takes loadMemberships of server/auth/accounts.ts (via "@/server/auth/accounts")',
        'server/queries/people.ts:3 takes forgetMemberships of server/auth/accounts.ts (via "@/server/auth/accounts")',
        'server/queries/people.ts:3 takes authPool of server/auth/accounts.ts (via "@/server/auth/accounts")',
      ],
    ],
    [
      'query-imports-dynamically.ts',
      'server/queries/lazy.ts',
      [
        'server/queries/lazy.ts:3 takes * of server/auth/sessions.ts (via "@/server/auth/sessions")',
        'server/queries/lazy.ts:3 takes sessionStore of server/auth/sessions.ts (via "@/server/auth/sessions")',
      ],
    ],
  ])('fixture %s bypasses the per-file scan, and the import is caught', (fixture, as, expected) => {
    const { scanned, violations } = bypass(fixture, as);
    expect(scanned, 'the per-file scan alone sees nothing wrong in the fixture').toEqual([]);
    expect(violations.sort()).toEqual([...expected].sort());
  });

  it('a value passed on by a barrel is followed to the allowed module it comes from', () => {
    const barrel = readFileSync(path.join(FIXTURES, 'barrel-reexports-session-store.ts'), 'utf8');
    const { scanned, violations } = bypass('query-imports-through-barrel.ts', 'server/queries/dashboard.ts', {
      [path.join(SRC, 'server/queries/index.ts')]: barrel,
    });
    expect(scanned).toEqual([]);
    expect(violations).toContain('server/queries/dashboard.ts:3 takes sessionStore of server/auth/sessions.ts (via ".")');
  });

  it('a value re-exported by an allowed importer is still refused to anyone else', () => {
    const session = path.join(SRC, 'server/session.ts');
    const reexporting = `${fileText(session)}\nexport { loadMemberships as membershipsOf } from './auth/accounts';\n`;
    const { scanned, violations } = bypass('query-imports-through-session.ts', 'server/queries/switch.ts', { [session]: reexporting });
    expect(scanned).toEqual([]);
    // session.ts itself may take loadMemberships; the file importing it from session.ts may not.
    expect(violations).toEqual(['server/queries/switch.ts:4 takes loadMemberships of server/auth/accounts.ts (via "../session")']);
  });
});

describe('configuration comes from src/env.ts', () => {
  it('no other file reads process.env', () => {
    const findings = files.filter((file) => !(path.relative(SRC, file) in PROCESS_ENV_ALLOWED)).flatMap(processEnvUses);
    expect(described(findings)).toEqual([]);
  });
});

describe('sign-in lookups run as app_auth, a role tenant requests never use', () => {
  const ACCOUNTS = 'server/auth/accounts.ts';
  const uses = files.filter((file) => path.relative(SRC, file) !== 'env.ts').flatMap((file) => connectionUrlUses(file, SRC));

  it('only src/server/auth/accounts.ts reads AUTH_DATABASE_URL', () => {
    const elsewhere = uses.filter((use) => use.what === 'AUTH_DATABASE_URL' && use.file !== ACCOUNTS);
    expect(described(elsewhere)).toEqual([]);
  });

  it('src/server/auth/accounts.ts reads AUTH_DATABASE_URL and no other connection URL', () => {
    const own = uses.filter((use) => use.file === ACCOUNTS).map((use) => use.what);
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own)).toEqual(new Set(['AUTH_DATABASE_URL']));
  });

  it('the scan sees the tenant connection where it is used (the check is not vacuous)', () => {
    expect(uses.filter((use) => use.file === 'server/tenancy.ts').map((use) => use.what)).toContain('DATABASE_URL');
  });
});
