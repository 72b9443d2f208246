import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2's Algorithm is an ambient const enum, which isolatedModules cannot read: 2 is Argon2id.
const ARGON2ID = 2;

/** OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): strong, and fast enough for a sign-in request. */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string, salt?: Uint8Array): Promise<string> {
  return hash(password, salt ? { ...OPTIONS, salt } : OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash must read as "wrong password", never as a crash of the sign-in route.
    return false;
  }
}

let absentHash: Promise<string> | undefined;

/**
 * A sign-in's password check, timed the same whether or not the account exists: with no stored hash (an unknown
 * email) it verifies against a hash nobody's password matches and answers false, so response times do not tell
 * which emails have accounts. Both apps' sign-ins check through this, never through verifyPassword alone.
 */
export async function checkSignInPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  absentHash ??= hashPassword('no account has this password');
  const ok = await verifyPassword(passwordHash ?? (await absentHash), password);
  return ok && passwordHash !== undefined;
}
