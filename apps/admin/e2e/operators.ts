import { hashPassword } from '@repo/auth/password';

import { sql } from './support';

// Operators of a test's own, for the specs that lock an account out or end its sessions: the seeded operator is shared
// by every spec, and a limit or a revoked session on it would leak into the others.

export interface TestOperator {
  id: string;
  email: string;
  password: string;
}

export async function createOperator(label: string): Promise<TestOperator> {
  const unique = `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const email = `${unique}@e2e-operators.test`;
  const password = `pw-${unique}`;
  const [row] = await sql<{ id: string }>('INSERT INTO public.operators (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id', [
    email,
    `E2E ${label}`,
    await hashPassword(password),
  ]);
  return { id: row!.id, email, password };
}

/** A fresh client address for a server that trusts one proxy (TEST-NET-3, never routed). */
export function testAddress(): string {
  return `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
}
