import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

import type { ValueImport } from './value-imports';

// What one source file does, read with the TypeScript parser so that comments and strings do not count. Each app's
// data-access test says which modules, calls and constructors reach its database and which files may use them.

export interface Finding {
  /** Relative to the scanned root (src/). */
  file: string;
  line: number;
  what: string;
}

export interface DataAccessRules {
  /** The app's src/: `@/` imports resolve here and findings are reported relative to it. */
  root: string;
  /** Modules that open connections or carry the tenancy instance; importing a value of one is a finding. */
  databaseModules: readonly RegExp[];
  /** Methods or functions that run statements: `x.withTenant()` and `withTenant()` alike. */
  calls: ReadonlySet<string>;
  /** Functions found only when called by their bare name: `tenancy()`, `drizzle()`. */
  bareCalls: ReadonlySet<string>;
  /** Constructors that open connections: `new Pool()`, `new pg.Client()`. */
  constructors: ReadonlySet<string>;
  /** A module of the app only one file may import (the tenancy singleton), as paths relative to root. */
  singleton?: { module: string; importer: string };
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|js|jsx|mjs)$/.test(entry.name) ? [full] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

function lineOf(source: ts.SourceFile, node: ts.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

function resolveLocal(root: string, fromFile: string, specifier: string): string | undefined {
  const base = specifier.startsWith('@/')
    ? path.join(root, specifier.slice(2))
    : specifier.startsWith('.')
      ? path.resolve(path.dirname(fromFile), specifier)
      : undefined;
  if (!base) return undefined;
  const stem = base.replace(/\.(js|ts|tsx)$/, '');
  return path.relative(root, stem);
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

const calleeName = (callee: ts.Expression) => (ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined);

/** Every way `file` reaches the database under `rules`: imports, calls and constructors. */
export function scanDataAccess(file: string, rules: DataAccessRules): Finding[] {
  const source = parse(file);
  const relative = path.relative(rules.root, file);
  const findings: Finding[] = [];
  const report = (node: ts.Node, what: string) => findings.push({ file: relative, line: lineOf(source, node), what });
  const singleton = rules.singleton;
  const checkSpecifier = (node: ts.Node, specifier: string) => {
    if (rules.databaseModules.some((pattern) => pattern.test(specifier))) report(node, `imports "${specifier}"`);
    const local = resolveLocal(rules.root, file, specifier);
    const isSingleton =
      singleton && (local === singleton.module.replace(/\.(ts|tsx)$/, '') || local === path.join(singleton.module.replace(/\.(ts|tsx)$/, ''), 'index'));
    if (isSingleton && relative !== singleton.importer) report(node, `imports the tenancy singleton ("${specifier}")`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !isTypeOnlyImport(node)) checkSpecifier(node, node.moduleSpecifier.text);
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly)
      checkSpecifier(node, node.moduleSpecifier.text);
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const [first] = node.arguments;
      const loads = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
      if (loads && first && ts.isStringLiteral(first)) checkSpecifier(node, first.text);
      const name = calleeName(callee);
      if (name && rules.calls.has(name)) report(node, `calls ${name}()`);
      if (ts.isIdentifier(callee) && rules.bareCalls.has(callee.text)) report(node, `calls ${callee.text}()`);
    }
    if (ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      if (name && rules.constructors.has(name)) report(node, `opens a connection (new ${name})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** Every read of `process.env` in `file`. */
export function processEnvUses(file: string, root: string): Finding[] {
  const source = parse(file);
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process' && node.name.text === 'env') {
      findings.push({ file: path.relative(root, file), line: lineOf(source, node), what: 'reads process.env' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** The connection URLs (…DATABASE_URL) a file reads: `env.X`, `env['X']` or a destructured `{ X }`. */
export function connectionUrlUses(file: string, root: string): Finding[] {
  const source = parse(file);
  const findings: Finding[] = [];
  const found = (node: ts.Node, name: string) => {
    if (/(^|_)DATABASE_URL$/.test(name)) findings.push({ file: path.relative(root, file), line: lineOf(source, node), what: name });
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

export interface AllowedModule {
  why: string;
  /** Who may take which of its values (types are free): 'anyone', or file -> the names it may import. */
  importers: 'anyone' | Record<string, readonly string[]>;
}

/** Values of an allowed module taken by a file it does not name as an importer of that value. */
export function gateViolations(imports: readonly ValueImport[], allowed: Record<string, AllowedModule>): string[] {
  return imports
    .filter((taken) => {
      const gate = allowed[taken.origin];
      if (!gate || gate.importers === 'anyone' || taken.file === taken.origin) return false;
      return !(gate.importers[taken.file] ?? []).includes(taken.name);
    })
    .map((taken) => `${taken.file}:${taken.line} takes ${taken.name} of ${taken.origin} (via "${taken.specifier}")`);
}

/** What each named importer of an allowed module takes from it today: compared with the list, so it cannot silently widen. */
export function importedNames(imports: readonly ValueImport[], module: string, file: string): string[] {
  return imports
    .filter((taken) => taken.file === file && taken.origin === module)
    .map((taken) => taken.name)
    .sort();
}

export const described = (findings: readonly Finding[]) => findings.map((f) => `${f.file}:${f.line} ${f.what}`);
