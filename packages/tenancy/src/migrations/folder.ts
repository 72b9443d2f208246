import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MigrationError } from '../errors';

export interface TenantMigration {
  tag: string;
  statements: string[];
}

const journalSchema = z.object({
  entries: z.array(z.object({ idx: z.number(), tag: z.string().regex(/^[A-Za-z0-9_-]+$/) })),
});

/**
 * Reads drizzle-kit's output folder. Tenant tables are placed by search_path, so any "public."
 * qualifier drizzle-kit writes (it does for foreign keys) is dropped: the same migration must land
 * in the shared schema, a tenant schema or a tenant database alike.
 */
export function readMigrations(folder: string): TenantMigration[] {
  let journal: z.infer<typeof journalSchema>;
  try {
    journal = journalSchema.parse(JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')));
  } catch (error) {
    throw new MigrationError(`Cannot read the drizzle-kit journal in ${folder}/meta/_journal.json: ${(error as Error).message}`);
  }
  return [...journal.entries]
    .sort((a, b) => a.idx - b.idx)
    .map(({ tag }) => ({
      tag,
      statements: readFileSync(join(folder, `${tag}.sql`), 'utf8')
        .split('--> statement-breakpoint')
        .map((statement) => statement.replaceAll('"public".', '').trim())
        .filter((statement) => statement.length > 0),
    }));
}
