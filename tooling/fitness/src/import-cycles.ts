import path from 'node:path';
import ts from 'typescript';

// Import cycles among a workspace's own files: a module graph from every static, dynamic and re-exporting import,
// resolved as the workspace's tsconfig resolves it, and its strongly connected components (Tarjan). Type-only imports
// count too: a cycle of types is still two files that cannot be understood one without the other.

export interface CycleScanOptions {
  /** The tsconfig whose options (paths, moduleResolution) resolve the imports. */
  tsconfig: string;
  /** The files of the graph (absolute paths); imports leaving this set are not followed. */
  files: readonly string[];
  /** Paths reported relative to this directory. */
  root: string;
}

function compilerOptions(tsconfig: string): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${tsconfig}`);
  return parsed.options;
}

/** The import graph: file -> the files of the set it imports. */
export function importGraph(options: CycleScanOptions): Map<string, string[]> {
  const compiler = compilerOptions(options.tsconfig);
  const inSet = new Set(options.files);
  const graph = new Map<string, string[]>();
  for (const file of options.files) {
    const info = ts.preProcessFile(ts.sys.readFile(file) ?? '', true, true);
    const targets = info.importedFiles
      .map((imported) => ts.resolveModuleName(imported.fileName, file, compiler, ts.sys).resolvedModule?.resolvedFileName)
      .filter((target): target is string => target !== undefined && inSet.has(target) && target !== file);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle (a strongly connected component of two or more files), each as paths relative to root, sorted. */
export function importCycles(options: CycleScanOptions): string[][] {
  const graph = importGraph(options);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const connect = (file: string) => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop()!;
      onStack.delete(member);
      component.push(path.relative(options.root, member));
      if (member === file) break;
    }
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
