import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readManifest, verifyArchive } from '../src/archive/read';
import { ARCHIVE_FORMAT } from '../src/archive/manifest';
import { ArchiveError } from '../src/errors';
import { tarGz } from './archive-files';

// A damaged archive is refused with an ArchiveError wherever it is damaged: found by the admin's properties
// (apps/admin/e2e/properties.spec.ts), where an upload cut off inside a table's rows answered 500 (a raw zlib error).

describe('reading a cut-off archive', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tenancy-archive-read-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses every cut with an ArchiveError, never another error', async () => {
    // Rows that do not compress away, so that most cuts fall inside the table's entry.
    const rows = Buffer.from(Array.from({ length: 4000 }, (_, i) => `${i}\t${(i * 7919) % 104729}-${Math.sin(i)}\n`).join(''));
    const manifest = {
      format: ARCHIVE_FORMAT,
      createdAt: new Date(0).toISOString(),
      tenant: { id: '00000000-0000-4000-8000-000000000000', slug: 'acme', name: 'Acme', strategy: 'rls' },
      schemaVersion: null,
      tables: [{ name: 'projects', file: 'tables/projects.copy', columns: ['id', 'name'], rows: 4000, sha256: '0'.repeat(64) }],
    };
    const whole = await tarGz([
      { name: 'manifest.json', body: Buffer.from(JSON.stringify(manifest)) },
      { name: 'tables/projects.copy', body: rows },
    ]);
    const failures: string[] = [];
    for (let cut = 1; cut < 40; cut++) {
      const file = path.join(dir, `cut-${cut}.tar.gz`);
      await writeFile(file, whole.subarray(0, Math.floor((whole.length * cut) / 40)));
      const error = await readManifest(file)
        .then((read) => verifyArchive(file, read))
        .then(
          () => null,
          (e: unknown) => e,
        );
      if (!(error instanceof ArchiveError)) failures.push(`cut at ${cut}/40: ${String(error)}`);
    }
    expect(failures).toEqual([]);
  });
});
