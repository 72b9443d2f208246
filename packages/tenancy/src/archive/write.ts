import { existsSync } from 'node:fs';
import { access, constants, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TenancyConfigError } from '../errors';
import type { Tenant } from '../catalog/types';

export interface TenantArchive {
  format: 'tenancy-archive/v1';
  createdAt: string;
  tenant: Tenant;
  schemaVersion: string | null;
  tables: Record<string, unknown[]>;
}

/** Written to a temporary name and renamed, so a crash never leaves a half archive under the real name. */
export async function writeArchive(file: string, archive: TenantArchive): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await writeFile(partial, JSON.stringify(archive, null, 2), { mode: 0o600 });
  await rename(partial, file);
}

export function archiveExists(file: string): boolean {
  return existsSync(file);
}

/** Fails early, with a clear error, when the archive could not be written. */
export async function assertWritable(file: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await access(dirname(file), constants.W_OK);
  } catch (error) {
    throw new TenancyConfigError(`Cannot write the archive ${file}: ${(error as Error).message}. Nothing was deleted.`);
  }
}
