import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';

/**
 * The app's tenant migrations plus `extra` additive ones (a column each on projects), in drizzle-kit's format, in a
 * folder of their own under `workDir`. Each migrate() round of the part brings every tenant one column further.
 */
export function migrationsWith(workDir: string, extra: number): { folder: string; latest: string } {
  const folder = path.join(workDir, `migrations-${extra}`);
  cpSync(TENANT_MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as {
    entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
  };
  for (let i = 1; i <= extra; i++) {
    const idx = journal.entries.length;
    const tag = `${String(idx).padStart(4, '0')}_crash_${i}`;
    writeFileSync(path.join(folder, `${tag}.sql`), `ALTER TABLE "projects" ADD COLUMN "crash_${i}" integer DEFAULT ${i} NOT NULL;`);
    journal.entries.push({ idx, version: journal.entries.at(-1)?.version ?? '7', when: (journal.entries.at(-1)?.when ?? 0) + 1, tag, breakpoints: true });
  }
  writeFileSync(journalPath, JSON.stringify(journal));
  return { folder, latest: journal.entries.at(-1)!.tag };
}
