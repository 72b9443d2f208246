import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/*
 * Every value a source file takes from another source file of the app, followed to where it is declared.
 *
 * `import { x } from './a'` where a.ts only re-exports x from b.ts (`export { x } from './b'`, `export * from './b'`,
 * or `import { x } from './b'; export { x }`) takes b.ts's x: TypeScript's checker resolves the alias chain. A
 * namespace import (`import * as a`), a dynamic `import('./a')`, `require('./a')` and `export * from './a'` take every
 * value a.ts exports, each followed the same way. Types are not values: `import type`, and names that resolve to an
 * interface or a type alias only, are left out.
 *
 * Not followed: a value copied into a new declaration (`export const y = x`) is y, declared where it is written.
 *
 * The program holds only the app's own files (no lib, no node_modules): module resolution is what it needs, and
 * it is built in well under a second. `overlay` adds or replaces files by path, without touching the disk: the
 * data-access tests scan their fixtures as if they were written at a path inside src/.
 */

export interface ValueImport {
  /** The importing file, relative to the root. */
  file: string;
  line: number;
  /** The name as declared in `origin` ('*' for a module taken whole, e.g. a side-effect import). */
  name: string;
  /** Where the value is declared, relative to the root. */
  origin: string;
  /** What the importing file wrote, for messages. */
  specifier: string;
}

export interface ImportScanOptions {
  /** The tsconfig whose `paths` (e.g. `@/*`) resolve the imports. */
  tsconfig: string;
  /** Files of the program (absolute paths). */
  files: string[];
  /** Paths reported relative to this directory (src/). */
  root: string;
  /** Absolute path -> file text: files added to the program, or replacing one on disk. */
  overlay?: Record<string, string>;
}

const inNodeModules = (file: string) => file.split(path.sep).includes('node_modules');

export function valueImports(options: ImportScanOptions): ValueImport[] {
  const overlay = options.overlay ?? {};
  const parsed = ts.getParsedCommandLineOfConfigFile(
    options.tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${options.tsconfig}`);
  const compilerOptions: ts.CompilerOptions = { ...parsed.options, noLib: true, types: [], noEmit: true, allowJs: true };
  const host = ts.createCompilerHost(compilerOptions, true);
  const readFile = (file: string) => overlay[file] ?? (inNodeModules(file) ? undefined : ts.sys.readFile(file));
  host.fileExists = (file) => file in overlay || (!inNodeModules(file) && existsSync(file));
  host.readFile = readFile;
  host.getSourceFile = (file, languageVersion) => {
    const text = readFile(file);
    return text === undefined ? undefined : ts.createSourceFile(file, text, languageVersion, true);
  };
  const rootNames = [...new Set([...options.files, ...Object.keys(overlay)])];
  const program = ts.createProgram({ rootNames, options: compilerOptions, host });
  const checker = program.getTypeChecker();
  const relative = (file: string) => path.relative(options.root, file);

  const resolveModule = (from: string, specifier: string): ts.SourceFile | undefined => {
    const resolved = ts.resolveModuleName(specifier, from, compilerOptions, host).resolvedModule;
    if (!resolved || inNodeModules(resolved.resolvedFileName)) return undefined;
    return program.getSourceFile(resolved.resolvedFileName);
  };

  /** The declarations a symbol stands for, through every alias; values only. */
  const origins = (symbol: ts.Symbol): { name: string; file: string }[] => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (!(target.flags & ts.SymbolFlags.Value)) return [];
    const files = new Set((target.declarations ?? []).map((declaration) => declaration.getSourceFile().fileName));
    return [...files].map((file) => ({ name: target.name, file }));
  };

  /** Every value a module exports, followed to its declaration. */
  const wholeModule = (module: ts.SourceFile): { name: string; file: string }[] => {
    const moduleSymbol = checker.getSymbolAtLocation(module);
    const taken = [{ name: '*', file: module.fileName }];
    if (!moduleSymbol) return taken;
    return [...taken, ...checker.getExportsOfModule(moduleSymbol).flatMap(origins)];
  };

  const found: ValueImport[] = [];
  for (const source of program.getSourceFiles()) {
    if (inNodeModules(source.fileName) || !source.fileName.startsWith(options.root)) continue;
    const add = (node: ts.Node, specifier: string, taken: { name: string; file: string }[]) => {
      for (const { name, file } of taken) {
        if (file === source.fileName || inNodeModules(file)) continue;
        found.push({
          file: relative(source.fileName),
          line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
          name,
          origin: relative(file),
          specifier,
        });
      }
    };
    const whole = (node: ts.Node, specifier: string) => {
      const module = resolveModule(source.fileName, specifier);
      if (module) add(node, specifier, wholeModule(module));
    };
    const named = (node: ts.Node, specifier: string, name: ts.ModuleExportName) => {
      const symbol = checker.getSymbolAtLocation(name);
      if (symbol) add(node, specifier, origins(symbol));
    };

    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const specifier = node.moduleSpecifier.text;
        const clause = node.importClause;
        if (!clause) {
          // A side-effect import runs the module but binds nothing.
          const module = resolveModule(source.fileName, specifier);
          if (module) add(node, specifier, [{ name: '*', file: module.fileName }]);
        } else if (!clause.isTypeOnly) {
          if (clause.name) named(node, specifier, clause.name);
          const bindings = clause.namedBindings;
          if (bindings && ts.isNamespaceImport(bindings)) whole(node, specifier);
          if (bindings && ts.isNamedImports(bindings)) {
            for (const element of bindings.elements) if (!element.isTypeOnly) named(element, specifier, element.name);
          }
        }
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
        const specifier = node.moduleSpecifier.text;
        const clause = node.exportClause;
        if (!clause || ts.isNamespaceExport(clause)) whole(node, specifier);
        else for (const element of clause.elements) if (!element.isTypeOnly) named(element, specifier, element.name);
      }
      if (
        ts.isImportEqualsDeclaration(node) &&
        !node.isTypeOnly &&
        ts.isExternalModuleReference(node.moduleReference) &&
        ts.isStringLiteral(node.moduleReference.expression)
      ) {
        whole(node, node.moduleReference.expression.text);
      }
      if (ts.isCallExpression(node)) {
        const [first] = node.arguments;
        const callee = node.expression;
        const loads = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
        if (loads && first && ts.isStringLiteralLike(first)) whole(node, first.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** The text of a file on disk, for building an overlay from it. */
export function fileText(file: string): string {
  return readFileSync(file, 'utf8');
}
