import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { hashPassword } from '@repo/auth/password';
import { isPublishedPassword } from './published-passwords';

/** The email of the first operator when FIRST_OPERATOR_EMAIL is not set (example.com: reserved, never a real inbox). */
export const FIRST_OPERATOR_DEFAULT_EMAIL = 'operator@example.com';
export const FIRST_OPERATOR_NAME = 'First operator';
/** A password given for the first operator must be at least this long; a generated one is 24 characters. */
export const FIRST_OPERATOR_MIN_PASSWORD_LENGTH = 12;

export interface FirstOperatorInput {
  /** Checked as the sign-in form checks it (a valid address), stored lower-case. */
  email: string;
  name?: string;
  /** Unset: a random password is generated and returned, for the caller to show once. */
  password?: string;
}

export type FirstOperatorOutcome = { created: false; existing: number } | { created: true; id: string; email: string; generatedPassword?: string };

const email = z.string().trim().toLowerCase().pipe(z.email('is not a valid email address'));

/**
 * Creates the first operator of a deployment when public.operators is empty, and does nothing when any operator
 * exists: it never changes an existing operator or its password, so it is safe on every start. Without a password
 * it generates one (24 characters from 18 random bytes) and returns it: the only copy, for the caller to print once.
 *
 * A password that is published (the dev seed's, the demo users') is refused. The password reaches the database only
 * as an argon2id hash, sent as a bind parameter. Runs in a transaction that locks the table first, so two setups
 * started at once create one operator.
 */
export async function ensureFirstOperator(client: pg.ClientBase, input: FirstOperatorInput): Promise<FirstOperatorOutcome> {
  const address = email.safeParse(input.email);
  if (!address.success) throw new Error(`The first operator's email ${address.error.issues[0]?.message ?? 'is invalid'}`);
  if (input.password !== undefined) {
    if (input.password.length < FIRST_OPERATOR_MIN_PASSWORD_LENGTH)
      throw new Error(`The first operator's password must be at least ${FIRST_OPERATOR_MIN_PASSWORD_LENGTH} characters`);
    if (isPublishedPassword(input.password))
      throw new Error("The first operator's password is a published one (the dev seed's or the demo users'): choose another");
  }
  const generated = input.password === undefined ? randomBytes(18).toString('base64url') : undefined;
  const passwordHash = await hashPassword(input.password ?? generated!);
  const id = await insertIfNoOperator(client, { email: address.data, name: input.name ?? FIRST_OPERATOR_NAME, passwordHash });
  if (typeof id === 'number') return { created: false, existing: id };
  return { created: true, id, email: address.data, ...(generated ? { generatedPassword: generated } : {}) };
}

/**
 * Inserts the operator when the table is empty; returns its id, or how many operators there are when it was not
 * empty. Shared with the dev runner's seeded operator (seed/index.ts).
 */
export async function insertIfNoOperator(
  client: pg.ClientBase,
  operator: { id?: string; email: string; name: string; passwordHash: string },
): Promise<string | number> {
  await client.query('BEGIN');
  try {
    await client.query('LOCK TABLE public.operators IN SHARE ROW EXCLUSIVE MODE');
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM public.operators');
    const existing = rows[0]?.n ?? 0;
    let result: string | number = existing;
    if (existing === 0) {
      const inserted = await client.query<{ id: string }>(
        'INSERT INTO public.operators (id, email, name, password_hash) VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4) RETURNING id',
        [operator.id ?? null, operator.email, operator.name, operator.passwordHash],
      );
      result = inserted.rows[0]!.id;
    }
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
