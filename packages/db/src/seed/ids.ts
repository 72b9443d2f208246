import { createHash } from 'node:crypto';

/** A uuid derived from a name, so the seed (and the init.sql generated from it) is the same on every run. */
export function seedId(name: string): string {
  const hex = createHash('sha256').update(`seed:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A fixed salt per seeded account: only seed hashes are deterministic; real sign-ups get random salts. */
export function seedSalt(email: string): Uint8Array {
  return createHash('sha256').update(`salt:${email}`).digest().subarray(0, 16);
}
