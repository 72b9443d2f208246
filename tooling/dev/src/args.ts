import { DevError } from '@repo/db/local';

export interface DevOptions {
  /** Start only PostgreSQL (init.sql, hook) and wait for Ctrl-C; no apps. */
  dbOnly: boolean;
  /** Put a real PgBouncer (transaction mode) between the apps and PostgreSQL. */
  pgbouncer: boolean;
}

const USAGE = 'usage: npm run dev [-- --db-only] [-- --pgbouncer]';

export function parseArgs(argv: readonly string[]): DevOptions {
  const options: DevOptions = { dbOnly: false, pgbouncer: false };
  for (const arg of argv) {
    if (arg === '--db-only') options.dbOnly = true;
    else if (arg === '--pgbouncer') options.pgbouncer = true;
    else throw new DevError(`Unknown option ${arg} (${USAGE}).`);
  }
  return options;
}
