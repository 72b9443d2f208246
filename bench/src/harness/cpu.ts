import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux everywhere it matters). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in ticks; 0 when it is gone or not on this machine. */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * CPU µs used so far by this process and by every server backend but the probe's own: a probe for
 * runner rounds, whose difference over a round divided by its calls is the CPU one call costs
 * (Node and PostgreSQL, with the kernel's work done on their behalf). Only where the server runs on
 * this machine; elsewhere there is nothing to read.
 */
export function cpuProbe(admin: pg.ClientBase): () => Promise<number> {
  return async () => {
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_catalog.pg_stat_activity WHERE pid <> pg_catalog.pg_backend_pid()');
    const ticks = rows.reduce((sum, row) => sum + processTicks(row.pid), 0);
    const own = process.cpuUsage();
    return own.user + own.system + (ticks * 1e6) / TICKS_PER_SECOND;
  };
}
