import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { importCycles, sourceFiles } from '../src/index';

// No workspace has an import cycle: two files that import each other, directly or around a loop, can be read,
// tested and moved only together, and Node may run one of them half-initialised.

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WORKSPACES = ['apps', 'packages', 'tooling']
  .flatMap((group) => readdirSync(path.join(ROOT, group)).map((name) => `${group}/${name}`))
  .concat('infra/tests', 'bench');

function workspaceFiles(workspace: string): string[] {
  const dir = path.join(ROOT, workspace);
  return ['src', 'test', 'e2e']
    .map((sub) => path.join(dir, sub))
    .filter(existsSync)
    .flatMap(sourceFiles)
    .filter((file) => !file.includes(`${path.sep}fixtures${path.sep}`));
}

describe('import cycles', () => {
  const scanned = WORKSPACES.filter((workspace) => existsSync(path.join(ROOT, workspace, 'tsconfig.json')));

  it('scans every workspace with TypeScript sources', () => {
    expect(scanned).toEqual(expect.arrayContaining(['apps/web', 'apps/admin', 'packages/tenancy', 'packages/db', 'bench']));
  });

  it.each(scanned)('%s has none', (workspace) => {
    const files = workspaceFiles(workspace);
    expect(importCycles({ tsconfig: path.join(ROOT, workspace, 'tsconfig.json'), files, root: ROOT })).toEqual([]);
  });

  it('finds a cycle around a loop, through a type-only import and an index file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fitness-cycles-'));
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'esnext', moduleResolution: 'bundler', strict: true } }));
    const files = {
      'a.ts': "import { b } from './b';\nexport const a = () => b();\n",
      'b.ts': "import type { C } from './c';\nexport const b = (c?: C) => c;\n",
      'c/index.ts': "import { a } from '../a';\nexport type C = ReturnType<typeof a>;\n",
      'd.ts': "import { a } from './a';\nexport const d = a;\n",
    };
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    const cycles = importCycles({ tsconfig: path.join(dir, 'tsconfig.json'), files: Object.keys(files).map((name) => path.join(dir, name)), root: dir });
    expect(cycles).toEqual([['a.ts', 'b.ts', 'c/index.ts']]);
  });
});
