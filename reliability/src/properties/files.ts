import { readdirSync } from 'node:fs';
import path from 'node:path';

/** The suffix every property test file carries. */
export const PROPERTY_SUFFIX = '.property.test.ts';
const WORKSPACES = ['packages', 'apps', 'tooling'];

/** Every property test file of every workspace package, by package directory (paths relative to it), in name order. */
export function propertyFiles(root: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const workspace of WORKSPACES) {
    for (const pkg of entries(path.join(root, workspace))) {
      const dir = path.join(root, workspace, pkg);
      const files = ['test', 'src'].flatMap((sub) => walk(path.join(dir, sub)).map((file) => path.relative(dir, file)));
      if (files.length > 0) found.set(dir, files.sort());
    }
  }
  return found;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function walk(dir: string): string[] {
  let list;
  try {
    list = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return list.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(full);
    return entry.name.endsWith(PROPERTY_SUFFIX) ? [full] : [];
  });
}
