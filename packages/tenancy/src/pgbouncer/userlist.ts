import { z } from 'zod';
import { parsePgBouncerInputWithPassword, roleName, type PgBouncerInput } from './config';
import { PgBouncerConfigError } from './errors';

export interface UserlistEntry {
  user: string;
  /** Plain text, an md5 hash (`md5...`) or a SCRAM secret (`SCRAM-SHA-256$...`). */
  password: string;
}

const entrySchema = z.object({
  user: roleName,
  password: z
    .string()
    .min(1, 'must not be empty')
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters or line breaks'),
});

/**
 * The auth file (userlist.txt). Only the auth user belongs here: PgBouncer needs its password
 * to log in and run auth_query, every other role is looked up through auth_query.
 * PgBouncer's format is `"user" "password"`, with a double quote written twice.
 */
export function userlist(entries: readonly UserlistEntry[]): string {
  const parsed = z.array(entrySchema).safeParse(entries);
  if (!parsed.success) throw new PgBouncerConfigError(parsed.error.issues);
  return parsed.data.map((entry) => `${quoted(entry.user)} ${quoted(entry.password)}\n`).join('');
}

/** The auth file for a generator input: its auth user and password. */
export function pgbouncerUserlist(input: PgBouncerInput): string {
  const config = parsePgBouncerInputWithPassword(input);
  return userlist([{ user: config.authUser, password: config.authPassword }]);
}

function quoted(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}
