import { randomBytes } from 'node:crypto';

/** 192 bits from the OS CSPRNG, base64url: no quote or "$" to escape anywhere it travels. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}
