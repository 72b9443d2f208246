import { accessSync, constants, statSync } from 'node:fs';
import { recordSkip } from '../skips/ledger';
import { PgBouncerNotFoundError } from './errors';

export const DEFAULT_PGBOUNCER_PATH = '/usr/sbin/pgbouncer';

export type PgBouncerAvailability = { ok: true; path: string } | { ok: false; reason: string };

export function pgbouncerPath(): string {
  return process.env.PGBOUNCER_PATH || DEFAULT_PGBOUNCER_PATH;
}

/** Whether the pgbouncer binary exists and can be executed; never throws. */
export function pgbouncerAvailable(): PgBouncerAvailability {
  const path = pgbouncerPath();
  const problem = binaryProblem(path);
  return problem === undefined ? { ok: true, path } : { ok: false, reason: new PgBouncerNotFoundError(path, problem).message };
}

/** The binary's path, or PgBouncerNotFoundError with the one line that says how to get it. */
export function assertPgBouncerBinary(): string {
  const path = pgbouncerPath();
  const problem = binaryProblem(path);
  if (problem !== undefined) throw new PgBouncerNotFoundError(path, problem);
  return path;
}

/**
 * For test files: true when pgbouncer can run. Without it, a CI run fails (a pooler suite that
 * silently skips there proves nothing), while a developer's run prints why and returns false so
 * the suite can `describe.skipIf(!requirePgBouncer())`.
 */
export function requirePgBouncer(): boolean {
  const found = pgbouncerAvailable();
  if (found.ok) return true;
  if (isCi()) assertPgBouncerBinary();
  recordSkip('pgbouncer', found.reason);
  return false;
}

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

// undefined: usable; '': no such file (the error's own words say enough); else the reason.
function binaryProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a file';
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? '' : `not executable: ${code ?? String(error)}`;
  }
}
