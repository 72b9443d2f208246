import { TenancyError } from '../errors';

export type PgBouncerLoginFailure = 'wrong-password' | 'unknown-role' | 'auth-query-failed' | 'startup-parameter' | 'unreachable' | 'timeout';

export interface LoginAttempt {
  user: string;
  database: string;
}

/** A connection through PgBouncer was refused; the message names the role and database and says what to check. */
export class PgBouncerLoginError extends TenancyError {
  override readonly name = 'PgBouncerLoginError';
  constructor(
    readonly reason: PgBouncerLoginFailure,
    readonly user: string,
    readonly database: string,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

// PgBouncer answers a failed login with its own short texts, which name neither the role nor
// the database ("SASL authentication failed", "no such user"), and keeps a client waiting
// rather than failing it while the server refuses the database. These rules turn the texts
// PgBouncer 1.18 sends into one line a person can act on.
const RULES: ReadonlyArray<{ reason: PgBouncerLoginFailure; test: RegExp; explain: (a: LoginAttempt, detail: string) => string }> = [
  {
    reason: 'wrong-password',
    test: /SASL authentication failed|password authentication failed|auth failed/i,
    explain: (a) => `Login as role "${a.user}" to database "${a.database}" through PgBouncer failed: wrong password for role "${a.user}".`,
  },
  {
    reason: 'unknown-role',
    test: /no such user/i,
    explain: (a) =>
      `PgBouncer's auth_query found no role "${a.user}" in database "${a.database}": the role does not exist, cannot log in, has an expired password, or is a superuser (refused through PgBouncer; connect directly).`,
  },
  {
    reason: 'auth-query-failed',
    test: /bouncer config error/i,
    explain: (a) =>
      `PgBouncer could not look up role "${a.user}" in database "${a.database}" (auth_query failed): run installPgBouncerAuth in that database, it needs the function pgbouncer.get_auth.`,
  },
  {
    reason: 'startup-parameter',
    test: /unsupported startup parameter/i,
    explain: (a, detail) =>
      `PgBouncer refused the connection of role "${a.user}" to database "${a.database}" (${detail}): drop that connection option, or list it in ignoreStartupParameters if losing it is harmless.`,
  },
  {
    reason: 'unreachable',
    test: /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/,
    explain: (a, detail) => `Cannot reach PgBouncer for role "${a.user}", database "${a.database}" (${detail}): is it running, on that host and port?`,
  },
  {
    reason: 'timeout',
    test: /timeout expired|Connection terminated due to connection timeout/i,
    explain: (a) =>
      `Connecting as role "${a.user}" to database "${a.database}" through PgBouncer timed out: PgBouncer holds clients while it cannot log in to the server, most often because database "${a.database}" does not exist (its log says "server login failed").`,
  },
];

/** The typed, explained error for a failed connection through PgBouncer, or the original error when it is not a known login failure. */
export function explainPgBouncerLoginError(error: unknown, attempt: LoginAttempt): unknown {
  const detail = errorText(error);
  const rule = RULES.find((candidate) => candidate.test.test(detail));
  return rule ? new PgBouncerLoginError(rule.reason, attempt.user, attempt.database, rule.explain(attempt, detail), { cause: error }) : error;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} [${code}]` : error.message;
}
