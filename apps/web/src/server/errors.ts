// What a user is told when something fails, and how loudly the server logs it. Database errors arrive with a
// SQLSTATE (`code`); the message text, which may quote SQL, a constraint or a value, never reaches the user.

import { UserFacingError, type ErrorKind } from '@repo/ui';

export { UserFacingError, type ErrorKind };

export interface DescribedError {
  kind: ErrorKind;
  /** Safe to show. */
  message: string;
  /** SQLSTATE or error class, for the log. */
  code: string | undefined;
  /** Expected refusals are logged as warnings, everything else as errors. */
  expected: boolean;
  /** What to log: the driver's error (SQLSTATE, constraint, table) and the failed statement, never its parameters. */
  log: { err: unknown; query?: string | undefined };
}

const MESSAGES: Record<ErrorKind, string> = {
  forbidden: 'Your role in this workspace does not allow that.',
  'not-found': 'That item no longer exists in this workspace.',
  conflict: 'That change conflicts with the current state. Reload and try again.',
  invalid: 'Some values are not valid.',
  retry: 'The change collided with another one. Please try again.',
  unavailable: 'The service is busy or unreachable right now. Please try again in a moment.',
  unknown: 'Something went wrong on our side. It has been logged.',
};

/**
 * An organisation slug the user is not a member of, whether or not it exists: one message for both, so that an
 * answer never tells whether an organisation exists (route handlers answer 404 with it, actions show it).
 */
export const ORGANISATION_NOT_FOUND = 'There is no such workspace, or you are not a member of it.';

/** Text with a NUL character (\u0000): PostgreSQL cannot store it. */
export const NUL_MESSAGE = 'Text cannot contain NUL characters (\\u0000).';
/** For a schema whose text goes to the database outside describeError (the sign-up functions): `.refine(withoutNul, NUL_MESSAGE)`. */
export const withoutNul = (text: string): boolean => !text.includes('\u0000');

/** SQLSTATE -> what the user is told. Codes not listed are unexpected: "something went wrong", logged as errors. */
const BY_SQLSTATE: Record<string, { kind: ErrorKind; message?: string }> = {
  // insufficient_privilege: a row-level security WITH CHECK refusal, a missing grant, the member functions' checks.
  '42501': { kind: 'forbidden' },
  // foreign_key_violation: the parent (project, task) is gone, or belongs to another tenant, which is the same here.
  '23503': { kind: 'not-found', message: 'It refers to an item that no longer exists in this workspace.' },
  '23514': { kind: 'invalid' }, // check_violation
  '23502': { kind: 'invalid' }, // not_null_violation
  '23505': { kind: 'conflict', message: 'An item like that already exists.' },
  '22P02': { kind: 'not-found' }, // invalid_text_representation (a malformed id)
  // character_not_in_repertoire: text with a NUL character (\u0000), which PostgreSQL's text cannot hold; valid JSON
  // and form data can carry one, and the schemas count it as a character.
  '22021': { kind: 'invalid', message: NUL_MESSAGE },
  '22007': { kind: 'invalid', message: 'That date is not valid.' },
  '22008': { kind: 'invalid', message: 'That date is not valid.' },
  '22023': { kind: 'invalid' }, // invalid_parameter_value (set_member_role: unknown role)
  // The member functions (set_member_role, remove_member, leave_organisation; control-plane migration 0008).
  P0002: { kind: 'not-found', message: 'That person is not a member of this workspace.' },
  TA001: { kind: 'conflict', message: 'A workspace needs at least one owner: make someone else owner first.' },
  TA002: { kind: 'forbidden', message: 'Only an owner can change an owner’s role, make someone owner or remove an owner.' },
  TA030: { kind: 'conflict', message: 'That person is already a member of this workspace.' }, // create_invitation
  TA032: { kind: 'not-found', message: 'That invitation is no longer pending.' }, // revoke_invitation
  '40001': { kind: 'retry' }, // serialization_failure
  '40P01': { kind: 'retry' }, // deadlock_detected
  '55P03': { kind: 'retry' }, // lock_not_available
  '57014': { kind: 'unavailable' }, // query_canceled (statement timeout)
  '53300': { kind: 'unavailable' }, // too_many_connections
  '57P01': { kind: 'unavailable' }, // admin_shutdown
  '57P03': { kind: 'unavailable' }, // cannot_connect_now
};

/** Errors of @repo/tenancy and the network, by name or code (no import: this module stays driver-free). */
const BY_NAME: Record<string, { kind: ErrorKind; message?: string; expected?: boolean }> = {
  TenantNotActiveError: { kind: 'unavailable', message: 'This workspace is under maintenance. Please try again in a few minutes.', expected: true },
  TenantNotFoundError: { kind: 'not-found', message: 'This workspace no longer exists.', expected: true },
  ECONNREFUSED: { kind: 'unavailable' },
  ECONNRESET: { kind: 'unavailable' },
  ETIMEDOUT: { kind: 'unavailable' },
};

/**
 * The error that says what happened: drizzle wraps the driver's error (DrizzleQueryError, with the SQL in its
 * message) and keeps the original as `cause`, which carries the SQLSTATE.
 */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof UserFacingError || typeof (current as { code?: unknown })?.code === 'string') return current;
    const cause = (current as { cause?: unknown })?.cause;
    if (cause === undefined || cause === null) return current;
    current = cause;
  }
  return current;
}

export function describeError(thrown: unknown): DescribedError {
  const error = rootCause(thrown);
  const query = (thrown as { query?: unknown })?.query;
  const log = { err: error, query: typeof query === 'string' ? query : undefined };
  return { ...classify(error), log };
}

function classify(error: unknown): Omit<DescribedError, 'log'> {
  if (error instanceof UserFacingError) return { kind: error.kind, message: error.message, code: error.kind, expected: true };
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const name = error instanceof Error ? error.name : undefined;
  const byState = code !== undefined ? BY_SQLSTATE[code] : undefined;
  if (byState) {
    const expected = byState.kind !== 'unavailable';
    return { kind: byState.kind, message: byState.message ?? MESSAGES[byState.kind], code, expected };
  }
  if (code?.startsWith('08')) return { kind: 'unavailable', message: MESSAGES.unavailable, code, expected: false }; // connection_exception
  const byName = BY_NAME[name ?? ''] ?? BY_NAME[code ?? ''];
  if (byName) return { kind: byName.kind, message: byName.message ?? MESSAGES[byName.kind], code: code ?? name, expected: byName.expected ?? false };
  return { kind: 'unknown', message: MESSAGES.unknown, code: code ?? name, expected: false };
}

export function messageFor(kind: ErrorKind): string {
  return MESSAGES[kind];
}
