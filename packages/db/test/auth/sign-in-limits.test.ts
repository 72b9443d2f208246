import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';

import { createSignInLimiter, type SignInAttempt } from '@repo/auth/sign-in-limits';
import { useSignInDatabase, withPgBouncer } from './support';

// The limiter as the apps use it, on the real table and with the sign-in roles' own connections: the counts live in
// PostgreSQL, so two limiters (two processes, or one restarted) see the same ones.

const prepared = useSignInDatabase('sign_in_limits');
const settings = { windowSeconds: 60, maxFailuresPerAccount: 5, maxFailuresPerAddress: 20 };

const allowed = (attempt: SignInAttempt) => attempt.allowed;

describe('sign-in limits in PostgreSQL', () => {
  it('refuses the 6th attempt on an account, from any address, and counts it across processes', async () => {
    const { auth } = prepared();
    const first = createSignInLimiter(auth, 'web', settings);
    const second = createSignInLimiter(auth, 'web', settings);
    for (let i = 0; i < 5; i++) expect(allowed(await (i % 2 ? first : second).attempt({ account: 'a@limits.test', address: `10.0.0.${i}` }))).toBe(true);
    const refused = await first.attempt({ account: 'a@limits.test', address: '10.0.1.1' });
    expect(refused).toMatchObject({ allowed: false, limitedBy: 'account' });
    expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThan(55);
    // The other app's accounts are counted apart.
    expect(allowed(await createSignInLimiter(prepared().operator, 'admin', settings).attempt({ account: 'a@limits.test', address: '10.0.1.2' }))).toBe(true);
  });

  it('refuses the 21st attempt from one address whatever the account', async () => {
    const limiter = createSignInLimiter(prepared().auth, 'web', settings);
    for (let i = 0; i < 20; i++) expect(allowed(await limiter.attempt({ account: `b${i % 5}@limits.test`, address: '10.0.2.1' }))).toBe(true);
    expect(await limiter.attempt({ account: 'fresh@limits.test', address: '10.0.2.1' })).toMatchObject({ allowed: false, limitedBy: 'address' });
    expect(allowed(await limiter.attempt({ account: 'fresh@limits.test', address: '10.0.2.2' }))).toBe(true);
  });

  it('gives the points back after a success: the account starts again, the address keeps only its failures', async () => {
    const limiter = createSignInLimiter(prepared().auth, 'web', settings);
    for (let i = 0; i < 4; i++) await limiter.attempt({ account: 'c@limits.test', address: '10.0.3.1' });
    const right = await limiter.attempt({ account: 'c@limits.test', address: '10.0.3.1' });
    if (!right.allowed) throw new Error('the 5th attempt should be allowed');
    await right.succeeded();
    for (let i = 0; i < 5; i++)
      expect(allowed(await limiter.attempt({ account: 'c@limits.test', address: '10.0.3.2' })), `after the reset, attempt ${i + 1}`).toBe(true);
    const { rows } = await prepared().admin.query<{ points: number }>('SELECT points FROM public.sign_in_limits WHERE key LIKE $1', ['web:address:%']);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('lets an account in again once its window has passed', async () => {
    const limiter = createSignInLimiter(prepared().auth, 'web', { ...settings, windowSeconds: 1 });
    for (let i = 0; i < 5; i++) await limiter.attempt({ account: 'd@limits.test', address: '10.0.4.1' });
    expect(allowed(await limiter.attempt({ account: 'd@limits.test', address: '10.0.4.1' }))).toBe(false);
    await sleep(1_200);
    expect(allowed(await limiter.attempt({ account: 'd@limits.test', address: '10.0.4.1' }))).toBe(true);
  });

  it('stores hashes only: no email and no address in the table', async () => {
    const { rows } = await prepared().admin.query<{ key: string }>('SELECT key FROM public.sign_in_limits');
    expect(rows.length).toBeGreaterThan(0);
    for (const { key } of rows) expect(key).toMatch(/^(web|admin):(account|address):[0-9a-f]{64}$/);
  });

  it('fails closed when the database refuses: app_user may not touch the table', async () => {
    const limiter = createSignInLimiter(prepared().app, 'web', settings);
    await expect(limiter.attempt({ account: 'e@limits.test', address: '10.0.5.1' })).rejects.toThrow(/permission denied for table sign_in_limits/);
  });

  it.skipIf(!withPgBouncer)('works through PgBouncer in transaction mode (its statements go unnamed)', async () => {
    const limiter = createSignInLimiter(prepared().authThroughPgBouncer!, 'web', settings);
    for (let i = 0; i < 5; i++) expect(allowed(await limiter.attempt({ account: 'f@limits.test', address: '10.0.6.1' }))).toBe(true);
    expect(allowed(await limiter.attempt({ account: 'f@limits.test', address: '10.0.6.1' }))).toBe(false);
  });
});
