/** What the process's exit status means; `tenancy --help` prints this table. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The operation failed (a database error, a tenant that does not exist or already exists, a tenant that failed to migrate). */
  failed: 1,
  /** Usage or invalid input: an unknown command or option, a bad slug, strategy, plan or number, a missing or bad environment variable. Nothing was changed. */
  usage: 2,
  /** `audit` found problems. */
  findings: 3,
  /** `delete` was not confirmed: no --yes when not interactive, or the typed slug did not match. Nothing was changed. */
  notConfirmed: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  the operation failed (database error, tenant not found or already there, a tenant failed to migrate)
  2  usage or invalid input (unknown option, bad slug/strategy/plan/number/server, missing or bad environment variable, damaged or newer archive): nothing changed
  3  audit found problems
  4  delete not confirmed (no --yes when not interactive, or the typed slug did not match): nothing changed`;

/** An error the CLI raises itself, with the exit status it means. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** Bad input or usage, found before anything was changed. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** A destructive command the operator did not confirm. */
export class NotConfirmedError extends CliError {
  override readonly name = 'NotConfirmedError';
  constructor(message: string) {
    super(message, EXIT.notConfirmed);
  }
}

/**
 * The library's input errors (a bad slug, an invalid option such as a rotation overlap, a generator input PgBouncer
 * would refuse, an archive path that cannot be written) are thrown before anything changes: usage. Anything else
 * is the operation failing.
 */
export async function exitCodeFor(error: unknown): Promise<ExitCode> {
  if (error instanceof CliError) return error.exitCode;
  // Loaded here, not at the top: a library error means the library is loaded already, and a usage error needs none.
  const [{ ArchiveError, InvalidTenantSlugError, TenancyConfigError, UnknownServerError }, { PgBouncerConfigError }] = await Promise.all([
    import('@repo/tenancy'),
    import('@repo/tenancy/pgbouncer'),
  ]);
  // An archive that cannot be restored (damaged, foreign, newer) is refused before anything is created: invalid input.
  // A plan name changePlan does not know: refused before anything is read (the command's own check comes first).
  if (error instanceof Error && error.name === 'InvalidPlanError') return EXIT.usage;
  if (
    error instanceof InvalidTenantSlugError ||
    error instanceof TenancyConfigError ||
    error instanceof PgBouncerConfigError ||
    error instanceof ArchiveError ||
    // A server name TENANCY_SERVERS does not list (create, move, servers): refused before anything is read.
    error instanceof UnknownServerError
  ) {
    return EXIT.usage;
  }
  return EXIT.failed;
}
