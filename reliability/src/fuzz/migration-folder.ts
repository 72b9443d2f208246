import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A copy of the tenant migrations folder `from` (drizzle-kit's format) with one more, additive migration: a new
 * nullable column on projects, as a release adds one. Returns the new folder, `<dir>/migrations-<name>`.
 */
export function withAdditiveMigration(from: string, dir: string, name: string): string {
  const folder = path.join(dir, `migrations-${name}`);
  cpSync(from, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as {
    entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
  };
  const idx = journal.entries.length;
  const last = journal.entries[idx - 1];
  const tag = `${String(idx).padStart(4, '0')}_${name}`;
  writeFileSync(path.join(folder, `${tag}.sql`), `ALTER TABLE "projects" ADD COLUMN "${name}_note" text;\n`);
  journal.entries.push({ idx, version: last?.version ?? '7', when: (last?.when ?? 0) + 1, tag, breakpoints: true });
  writeFileSync(journalPath, JSON.stringify(journal, null, 2));
  return folder;
}
