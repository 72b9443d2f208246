import { existsSync } from 'node:fs';
import { access, constants, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TenancyConfigError } from '../errors';

export function archiveExists(file: string): boolean {
  return existsSync(file);
}

/** Fails early, with a clear error, when the archive could not be written. */
export async function assertWritable(file: string, consequence: string): Promise<void> {
  if (file.includes('\u0000')) throw new TenancyConfigError(`Cannot write the archive ${JSON.stringify(file)}: a path cannot hold a NUL byte. ${consequence}`);
  try {
    await mkdir(dirname(file), { recursive: true });
    await access(dirname(file), constants.W_OK);
  } catch (error) {
    throw new TenancyConfigError(`Cannot write the archive ${file}: ${(error as Error).message}. ${consequence}`);
  }
}
