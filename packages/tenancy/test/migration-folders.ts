import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTenancy, type Tenancy, type TenancyConfigInput } from '../src/index';
import { baseConfig, FIXTURE_MIGRATIONS, type Suite } from './support';

export interface ExtraMigration {
  tag: string;
  sql: string;
}

/** The fixture migrations plus `extra`, in drizzle-kit's format, in a temp folder of their own. */
export function migrationsWith(extra: readonly ExtraMigration[]): string {
  const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'migrations-')), 'migrations');
  cpSync(FIXTURE_MIGRATIONS, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as {
    entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
  };
  for (const { tag, sql } of extra) {
    writeFileSync(path.join(folder, `${tag}.sql`), sql);
    const idx = journal.entries.length;
    journal.entries.push({ idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true });
  }
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

/** One new column on notes: the migration the scale tests apply. */
export const PRIORITY: ExtraMigration = { tag: '0001_priority', sql: 'ALTER TABLE "notes" ADD COLUMN "priority" integer DEFAULT 0 NOT NULL;' };

/** Another process of the suite's deployment (same database, names and secrets) that reads `folder`. */
export function tenancyAt(suite: Suite, folder: string, overrides: Partial<TenancyConfigInput> = {}): Tenancy {
  return createTenancy({
    ...baseConfig(suite.db),
    namePrefix: suite.tenancy.config.namePrefix,
    secrets: suite.tenancy.config.secrets,
    migrationsFolder: folder,
    ...overrides,
  });
}
