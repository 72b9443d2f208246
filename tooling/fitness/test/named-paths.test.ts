import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A comment or a document that sends the reader to a file the repository does not have is worse than none. Every path
// written from the repository root (apps/..., packages/..., tooling/..., infra/..., bench/..., scripts/...) in a tracked
// source or markdown file must exist.

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const NAMED = /(?<![\w@/.-])((?:apps|packages|tooling|infra|bench|scripts)\/[A-Za-z0-9_./[\]()-]+\.(?:ts|tsx|mjs|md|sql|yml|json|sh|ini))/g;

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '*.ts', '*.tsx', '*.mjs', '*.md', '*.yml', '*.sh', '**/Dockerfile', '.ci/run'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\n').filter((file) => file && !file.startsWith('bench/results/'));
}

describe('paths named in the repository', () => {
  const files = trackedFiles();

  it('reads the tracked sources and documents', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'packages/tenancy/src/tenancy.ts']));
  });

  it('every path written from the repository root exists', () => {
    const missing = files.flatMap((file) =>
      [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(NAMED)]
        // A markdown link [a/b.md](a/b.md) reads as one match: split it back into its two paths.
        .flatMap((match) => match[1]!.split(']('))
        .map((named) => named.replace(/[.)]+$/, ''))
        .filter((named) => !existsSync(path.join(ROOT, named)))
        .map((named) => `${file} names ${named}`),
    );
    expect([...new Set(missing)]).toEqual([]);
  });
});
