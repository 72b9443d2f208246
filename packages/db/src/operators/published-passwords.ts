import type pg from 'pg';
import { verifyPassword } from '@repo/auth/password';
import { DEMO_PASSWORD, OPERATOR_PASSWORD } from '../seed/data';

/** Passwords anyone can read in this repository (README, seed, init.sql's history): never an operator's outside dev. */
export const PUBLISHED_PASSWORDS: readonly string[] = [OPERATOR_PASSWORD, DEMO_PASSWORD];

export function isPublishedPassword(password: string): boolean {
  return PUBLISHED_PASSWORDS.includes(password);
}

/**
 * Deletes every operator whose password is a published one, and returns their emails. For deployments whose
 * database was made from an init.sql that still carried the dev operator (ops@tenancy.test / operator-password):
 * the Docker setup runs it on every start, before it creates a first operator when none is left. Each stored hash is
 * checked against each published password (argon2, a few tens of milliseconds per operator).
 */
export async function removePublishedPasswordOperators(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ id: string; email: string; password_hash: string }>(
    'SELECT id, email, password_hash FROM public.operators ORDER BY email',
  );
  const removed: string[] = [];
  for (const operator of rows) {
    let published = false;
    for (const password of PUBLISHED_PASSWORDS) if (!published) published = await verifyPassword(operator.password_hash, password);
    if (!published) continue;
    await client.query('DELETE FROM public.operators WHERE id = $1', [operator.id]);
    removed.push(operator.email);
  }
  return removed;
}
