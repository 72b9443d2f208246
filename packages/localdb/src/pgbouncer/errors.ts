import { LocalDbError } from '../cluster/errors';

export class PgBouncerNotFoundError extends LocalDbError {
  override name = 'PgBouncerNotFoundError';
  constructor(
    readonly path: string,
    detail?: string,
  ) {
    super(`pgbouncer not found at ${path}${detail ? ` (${detail})` : ''}: apt-get install -y pgbouncer, or set PGBOUNCER_PATH`);
  }
}

export class PgBouncerStartError extends LocalDbError {
  override name = 'PgBouncerStartError';
  constructor(
    readonly port: number,
    problem: string,
    log: string,
  ) {
    super(`pgbouncer on 127.0.0.1:${port} ${problem}: ${lastMeaningfulLine(log)}`);
  }
}

// PgBouncer logs the cause (`ERROR invalid value ...`) just before the generic FATAL
// (`cannot load config file`), so the last few problem lines together say what went wrong.
function lastMeaningfulLine(log: string): string {
  const lines = log
    .split('\n')
    .map((line) => line.replace(/^\d{4}-\d\d-\d\d [\d:.]+ \w+ \[\d+\] /, '').trim())
    .filter(Boolean);
  const problems = lines.filter((line) => /^(FATAL|ERROR|WARNING)\b/.test(line));
  return (problems.length > 0 ? problems.slice(-3) : lines.slice(-1)).join('; ') || 'no output';
}
