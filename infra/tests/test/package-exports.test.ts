import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths';

/**
 * Every file a workspace package exports is there: a renamed or moved file behind an export breaks only its
 * importers, and only when they are built (the apps import the packages' sources).
 */
function workspaceDirs(): string[] {
  const { workspaces } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [path.join(REPO_ROOT, pattern)];
    const parent = path.join(REPO_ROOT, pattern.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(path.join(parent, entry.name, 'package.json')))
      .map((entry) => path.join(parent, entry.name));
  });
}

/** Every file path an `exports` field names, through conditions ({ import, types, default, ... }). */
function targets(exportsField: unknown): string[] {
  if (typeof exportsField === 'string') return [exportsField];
  if (exportsField && typeof exportsField === 'object') return Object.values(exportsField).flatMap(targets);
  return [];
}

describe('package exports', () => {
  const packages = workspaceDirs().map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; exports?: unknown },
  }));

  it('finds the workspace packages', () => {
    expect(packages.map((p) => p.manifest.name)).toContain('@repo/tenancy');
  });

  it('every export of every workspace package names a file that exists', () => {
    const missing = packages.flatMap(({ dir, manifest }) =>
      targets(manifest.exports)
        .filter((target) => !target.includes('*') && !existsSync(path.join(dir, target)))
        .map((target) => `${manifest.name}: ${target}`),
    );
    expect(missing).toEqual([]);
  });
});
