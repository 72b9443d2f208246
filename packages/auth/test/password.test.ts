import { describe, expect, it } from 'vitest';

import { checkSignInPassword, hashPassword } from '../src/password';

describe('checkSignInPassword', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(await checkSignInPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await checkSignInPassword(hash, 'Correct horse battery staple')).toBe(false);
  });

  it('refuses every password for an account that does not exist, the stand-in hash’s own password included', async () => {
    expect(await checkSignInPassword(undefined, 'no account has this password')).toBe(false);
    expect(await checkSignInPassword(undefined, '')).toBe(false);
  });

  it('reads a malformed stored hash as a wrong password, not a crash', async () => {
    expect(await checkSignInPassword('not-an-argon2-hash', 'anything')).toBe(false);
  });
});
