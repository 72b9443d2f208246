import { spawnSync } from 'node:child_process';
import { e2eSkipReason, inCI } from '@repo/e2e/chromium';
import { pgbouncerAvailable } from '@repo/localdb/pgbouncer';
import { recordSkip } from '@repo/localdb/skips';

// What a suite needs from the machine. In CI a missing tool fails the run (a skipped parity suite proves nothing);
// elsewhere the suite is skipped with the reason printed once.

export interface Tool {
  name: string;
  /** The Debian package that provides it. */
  debian: string;
  /** The one line that says how to get it. */
  install: string;
  /** undefined when usable, else why not. */
  problem(): string | undefined;
}

function onPath(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return (result.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${command} not found on PATH` : result.error.message;
  return result.status === 0 ? undefined : `\`${command} ${args.join(' ')}\` exited with ${result.status}: ${result.stderr.trim()}`;
}

export const PSQL: Tool = {
  name: 'psql',
  debian: 'postgresql-client',
  install: 'apt-get install -y postgresql-client',
  problem: () => onPath('psql', ['--version']),
};

export const DOCKER_COMPOSE: Tool = {
  name: 'docker-compose',
  debian: 'docker-compose',
  install: 'apt-get install -y docker-compose (it validates and resolves a compose file without a Docker engine)',
  problem: () => onPath('docker-compose', ['version']),
};

export const PGBOUNCER: Tool = {
  name: 'pgbouncer',
  debian: 'pgbouncer',
  install: 'apt-get install -y pgbouncer, or set PGBOUNCER_PATH',
  problem: () => {
    const found = pgbouncerAvailable();
    return found.ok ? undefined : found.reason;
  },
};

export const CHROMIUM: Tool = {
  name: 'chromium',
  debian: 'chromium',
  install: 'apt-get install -y chromium, or set CHROMIUM_PATH',
  // e2eSkipReason() itself throws in CI when Chromium is missing.
  problem: () => e2eSkipReason(),
};

/**
 * For `describe.skipIf(!requireTools(...))`: true when every tool is there. In CI a missing tool throws (the run
 * fails); elsewhere the reasons are printed and the suite is skipped.
 */
export function requireTools(suite: string, tools: readonly Tool[]): boolean {
  const missing = tools.flatMap((tool) => {
    const problem = tool.problem();
    if (problem === undefined) return [];
    return [{ tool, why: problem.includes('apt-get') ? `${tool.name}: ${problem}` : `${tool.name}: ${problem} (${tool.install})` }];
  });
  if (missing.length === 0) return true;
  const message = `${suite} needs ${missing.map((m) => m.why).join('; ')}`;
  if (inCI()) throw new Error(message);
  for (const { tool, why } of missing) recordSkip(tool.debian, `${suite} needs ${why}`);
  return false;
}
