import { hashPassword } from '@repo/auth/password';

import { adminQuery, tenantId } from './support';

// Accounts of a test's own, for the specs that lock an account out or end its sessions: the seeded users are shared
// by every spec, and a limit or a revoked session on one of them would leak into the others.

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/** A user of `tenant` (an acme member by default) with a fresh email and password. */
export async function createUser(label: string, options: { tenant?: string; role?: 'owner' | 'admin' | 'member' | 'viewer' } = {}): Promise<TestUser> {
  const unique = `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const email = `${unique}@e2e-security.test`;
  const password = `pw-${unique}`;
  const [row] = await adminQuery<{ id: string }>('INSERT INTO public.users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id', [
    email,
    `E2E ${label}`,
    await hashPassword(password),
  ]);
  await adminQuery('INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)', [
    row!.id,
    await tenantId(options.tenant ?? 'acme'),
    options.role ?? 'member',
  ]);
  return { id: row!.id, email, password };
}

/** A fresh client address for a server that trusts one proxy (TEST-NET-3, never routed). */
export function testAddress(): string {
  return `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
}
