import 'server-only';

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { serverEnv } from '@/env';

/** Tags of the tenant-table migrations, oldest first, from drizzle-kit's journal. */
export function tenantMigrationTags(): string[] {
  const journal = JSON.parse(readFileSync(path.join(serverEnv().TENANT_MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  return [...journal.entries].sort((a, b) => a.idx - b.idx).map((e) => e.tag);
}
