import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { fileText, valueImports, type ValueImport } from './support/value-imports';

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
 * (test/support/value-imports.ts: through re-exports, barrels, namespace and dynamic imports), and a value of an
 * allowed module taken by any other file fails the test. test/fixtures/data-access/ holds files that bypass the
 * per-file scan that way; the test checks it catches each. It also checks that the sign-in lookups keep a role of
 * their own: only src/server/auth/accounts.ts uses AUTH_DATABASE_URL (app_auth), and that module uses no other
 * connection.
 */

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/data-access', import.meta.url));

interface AllowedModule {
  why: string;
  /** Who may take which of its values (types are free): 'anyone', or file -> the names it may import. */
  importers: 'anyone' | Record<string, readonly string[]>;
}

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
      'server/auth/options.ts': ['loadMemberships', 'verifyCredentials'],
      'server/session.ts': ['loadMemberships'],
      // Clears this process's membership cache after a role change; reads nothing.
      'app/(app)/members/actions.ts': ['forgetMemberships'],
      'server/auth/sessions.ts': ['authPool'],
      'server/auth/sign-in-limits.ts': ['authPool'],
    },
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
  /^@repo\/tenancy(\/.*)?$/,
  /^@repo\/db$/,
  /^@repo\/db\/(tenancy|secrets|local|prepare|seed|init-sql|operators)$/,
  /^@repo\/localdb(\/.*)?$/,
  /^drizzle-orm\/(node-postgres|postgres-js|pg-proxy|neon.*|vercel-postgres)(\/.*)?$/,
];

const TENANCY_SINGLETON = path.join(SRC, 'server/tenancy.ts');
const FORBIDDEN_CALLS = new Set(['withTenant', 'withControlPlane', 'queryAs']);
const FORBIDDEN_CONSTRUCTORS = new Set(['Pool', 'Client']);

const PROCESS_ENV_ALLOWED: Record<string, string> = {
  'env.ts': 'the one place configuration is read',
  'instrumentation.ts': 'NEXT_RUNTIME, a constant Next inlines per bundle',
};

interface Finding {
  file: string;
  line: number;
  what: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|js|jsx|mjs)$/.test(entry.name) ? [full] : [];
  });
}

function resolveLocal(fromFile: string, specifier: string): string | undefined {
  const base = specifier.startsWith('@/')
    ? path.join(SRC, specifier.slice(2))
    : specifier.startsWith('.')
      ? path.resolve(path.dirname(fromFile), specifier)
      : undefined;
  if (!base) return undefined;
  const withoutJs = base.replace(/\.js$/, '');
  return [withoutJs, `${withoutJs}.ts`, `${withoutJs}.tsx`, path.join(withoutJs, 'index.ts')].find((candidate) => candidate === TENANCY_SINGLETON) ?? withoutJs;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

function scan(file: string): Finding[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const relative = path.relative(SRC, file);
  const findings: Finding[] = [];
  const report = (node: ts.Node, what: string) =>
    findings.push({ file: relative, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, what });
  const checkSpecifier = (node: ts.Node, specifier: string) => {
    if (DATABASE_MODULES.some((pattern) => pattern.test(specifier))) report(node, `imports "${specifier}"`);
    if (resolveLocal(file, specifier) === TENANCY_SINGLETON && relative !== 'server/tenant-data.ts')
      report(node, `imports the tenancy singleton ("${specifier}")`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !isTypeOnlyImport(node)) checkSpecifier(node, node.moduleSpecifier.text);
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly)
      checkSpecifier(node, node.moduleSpecifier.text);
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const [first] = node.arguments;
      if ((callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) && first && ts.isStringLiteral(first))
        checkSpecifier(node, first.text);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      if (name && FORBIDDEN_CALLS.has(name)) report(node, `calls ${name}()`);
      if (ts.isIdentifier(callee) && (callee.text === 'tenancy' || callee.text === 'drizzle')) report(node, `calls ${callee.text}()`);
    }
    if (ts.isNewExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      if (name && FORBIDDEN_CONSTRUCTORS.has(name)) report(node, `opens a connection (new ${name})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

function processEnvUses(file: string): Finding[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process' && node.name.text === 'env') {
      findings.push({ file: path.relative(SRC, file), line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, what: 'reads process.env' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** The connection URLs (…DATABASE_URL) a file reads: `env.X`, `env['X']` or a destructured `{ X }`. */
function connectionUrlUses(file: string): Finding[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const found = (node: ts.Node, name: string) => {
    if (/(^|_)DATABASE_URL$/.test(name))
      findings.push({ file: path.relative(SRC, file), line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, what: name });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) found(node, node.name.text);
    if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) found(node, node.argumentExpression.text);
    if (ts.isBindingElement(node)) {
      const key = node.propertyName ?? node.name;
      if (ts.isIdentifier(key) || ts.isStringLiteralLike(key)) found(node, key.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

const files = sourceFiles(SRC);

describe('data access goes through src/server/tenant-data.ts', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files).toContain(path.join(SRC, 'server/tenant-data.ts'));
  });

  it('no other file imports a driver or the tenancy library, calls withTenant, or opens a connection', () => {
    const findings = files.filter((file) => !(path.relative(SRC, file) in DATA_ACCESS_ALLOWED)).flatMap(scan);
    expect(findings.map((f) => `${f.file}:${f.line} ${f.what}`)).toEqual([]);
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
    expect(findings.map((f) => `${f.file}:${f.line} ${f.what}`)).toEqual([]);
  });
});

/** Values of an allowed module taken by a file it does not name as an importer of that value. */
function gateViolations(imports: readonly ValueImport[]): string[] {
  return imports
    .filter((taken) => {
      const allowed = DATA_ACCESS_ALLOWED[taken.origin];
      if (!allowed || allowed.importers === 'anyone' || taken.file === taken.origin) return false;
      return !(allowed.importers[taken.file] ?? []).includes(taken.name);
    })
    .map((taken) => `${taken.file}:${taken.line} takes ${taken.name} of ${taken.origin} (via "${taken.specifier}")`);
}

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
        const used = imports.filter((taken) => taken.file === file && taken.origin === module).map((taken) => taken.name);
        expect(used.sort(), `${file} imports from ${module}`).toEqual([...names].sort());
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
    expect(findings.map((f) => `${f.file}:${f.line} ${f.what}`)).toEqual([]);
  });
});

describe('sign-in lookups run as app_auth, a role tenant requests never use', () => {
  const ACCOUNTS = 'server/auth/accounts.ts';
  const uses = files.filter((file) => path.relative(SRC, file) !== 'env.ts').flatMap(connectionUrlUses);

  it('only src/server/auth/accounts.ts reads AUTH_DATABASE_URL', () => {
    const elsewhere = uses.filter((use) => use.what === 'AUTH_DATABASE_URL' && use.file !== ACCOUNTS);
    expect(elsewhere.map((f) => `${f.file}:${f.line} ${f.what}`)).toEqual([]);
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
