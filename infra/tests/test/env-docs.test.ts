import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { envSchemaKeys } from '../src/env-schema';
import { APPS, REPO_ROOT } from '../src/paths';

// Every variable an app reads (the keys of its src/env.ts schemas) is documented in the root README's environment
// table, under that app, and declared to turbo (turbo.json globalEnv), which otherwise hides it from the tasks.

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const TURBO = JSON.parse(readFileSync(path.join(REPO_ROOT, 'turbo.json'), 'utf8')) as { globalEnv?: string[]; globalPassThroughEnv?: string[] };

/** The README's "## Environment variables" table: each variable named in a row's first cell, with its "used by" cell. */
function documented(): Map<string, string> {
  const section = README.split(/^## /m).find((part) => part.startsWith('Environment variables'));
  if (!section) throw new Error('README.md has no "## Environment variables" section');
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line))
    .slice(1);
  const variables = new Map<string, string>();
  for (const row of rows) {
    const [names = '', usedBy = ''] = row
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
    for (const match of names.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) variables.set(match[1]!, usedBy);
  }
  return variables;
}

describe.each(APPS)('%s: every variable its env.ts reads', (app) => {
  const keys = envSchemaKeys(app);

  test('is in the root README`s environment table, as used by it', () => {
    const table = documented();
    expect(
      keys.filter((key) => !table.has(key)),
      'missing from the table',
    ).toEqual([]);
    expect(
      keys.filter((key) => table.has(key) && !table.get(key)!.includes(app)),
      `rows that do not name ${app}`,
    ).toEqual([]);
  });

  test('is declared in turbo.json', () => {
    const declared = new Set([...(TURBO.globalEnv ?? []), ...(TURBO.globalPassThroughEnv ?? [])]);
    expect(keys.filter((key) => !declared.has(key))).toEqual([]);
  });
});
