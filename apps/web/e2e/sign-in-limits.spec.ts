import { readFile } from 'node:fs/promises';

import { expect, test } from '@playwright/test';
import { postSignIn, postSignInFrom } from '@repo/e2e/sign-in';

import { SHORT_LOG, SHORT_TIMERS, shortServerUrl } from './short-server';
import { adminQuery, skipWithoutChromium } from './support';
import { createUser, testAddress } from './users';

skipWithoutChromium(test);

// Failed sign-ins are limited per account (5) and per client address (20) in PostgreSQL (@repo/auth/sign-in-limits).
// The waits run on the short-timer server (a 20 s window; it trusts one proxy, so every test here is its own
// client address through X-Forwarded-For); the default server shows that, trusting no proxy, it counts the socket.

const WRONG = 'not-the-password';

test('the 6th wrong password for one account is refused with the message, a right one too until the window has passed', async ({ browser }) => {
  const user = await createUser('limit-account');
  const address = testAddress();
  const context = await browser.newContext({ baseURL: shortServerUrl, extraHTTPHeaders: { 'x-forwarded-for': address } });
  try {
    const page = await context.newPage();
    await page.goto('/sign-in');
    const submit = async (password: string) => {
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };
    // A refused attempt: the form is back (the button disabled while it waits is enabled again).
    const attempt = async (password: string) => {
      await submit(password);
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    };
    for (let i = 1; i <= 5; i++) {
      await attempt(`${WRONG}-${i}`);
      await expect(page.locator('#sign-in-error'), `attempt ${i}`).toHaveText('Email or password is incorrect.');
    }
    await attempt(`${WRONG}-6`);
    await expect(page.locator('#sign-in-error')).toHaveText('Too many attempts, try again in 1 minute.');
    // Locked: the right password is refused the same way, without being checked.
    await attempt(user.password);
    await expect(page.locator('#sign-in-error')).toHaveText('Too many attempts, try again in 1 minute.');
    await expect(page).toHaveURL(/\/sign-in/);

    // The API says the same with 429 and Retry-After, from another address too (the account is what is locked).
    const api = await postSignIn(context.request, { email: user.email, password: user.password }, { 'x-forwarded-for': testAddress() });
    expect(api).toMatchObject({ status: 429, error: 'TooManyAttempts' });
    const retryAfter = Number(api.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(SHORT_TIMERS.SIGN_IN_WINDOW_SECONDS);

    // After the window the right password works again.
    await page.waitForTimeout((retryAfter + 1) * 1000);
    await submit(user.password);
    await expect(page).toHaveURL(/\/projects$/);
  } finally {
    await context.close();
  }

  // The table holds hashes, never the email or the address; the log names the address and the account, never a password.
  const keys = await adminQuery<{ key: string }>('SELECT key FROM public.sign_in_limits');
  expect(keys.length).toBeGreaterThan(0);
  for (const { key } of keys) {
    // Sign-ups and reset requests are counted in the same table under keys of their own (src/server/accounts/limits.ts).
    expect(key).toMatch(/^(web|admin|web-sign-up|web-reset):(account|address):[0-9a-f]{64}$/);
  }
  const log = SHORT_LOG ? await readFile(SHORT_LOG, 'utf8') : '';
  const failures = log.split('\n').filter((line) => line.includes('"sign-in.failed"') && line.includes(user.email));
  expect(failures.length).toBe(5);
  for (const line of failures) expect(JSON.parse(line)).toMatchObject({ address, account: user.email });
  expect(log).toMatch(new RegExp(`"sign-in.limited".*"address":"${address.replaceAll('.', '\\.')}"`));
  expect(log).not.toContain(WRONG);
  expect(log).not.toContain(user.password);
});

test('the per-address limit holds across accounts: the 21st failure from one address is refused whatever the account', async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL: shortServerUrl });
  const address = testAddress();
  const from = { 'x-forwarded-for': address };
  try {
    const user = await createUser('limit-address');
    // 20 failures over five accounts: no account reaches its own limit of 5.
    for (let account = 0; account < 5; account++) {
      for (let i = 0; i < 4; i++) {
        const answer = await postSignIn(request, { email: `nobody-${account}-${address}@e2e-security.test`, password: WRONG }, from);
        expect(answer, `account ${account}, attempt ${i + 1}`).toMatchObject({ status: 401, error: 'CredentialsSignin' });
      }
    }
    // The 21st, even with a right password of an untouched account.
    expect(await postSignIn(request, { email: user.email, password: user.password }, from)).toMatchObject({ status: 429, error: 'TooManyAttempts' });
    // Another address is not affected.
    expect(await postSignIn(request, { email: user.email, password: user.password }, { 'x-forwarded-for': testAddress() })).toMatchObject({
      status: 200,
      error: null,
    });
  } finally {
    await request.dispose();
  }
});

test('trusting no proxy (the default), the socket address counts: a forged X-Forwarded-For changes nothing', async ({ baseURL }) => {
  // A loopback address of this test's own: the server on 127.0.0.1 sees it as the socket's.
  const socket = `127.0.0.${10 + Math.floor(Math.random() * 200)}`;
  for (let i = 0; i < 20; i++) {
    const answer = await postSignInFrom(
      baseURL!,
      socket,
      { email: `forged-${i % 5}-${socket}@e2e-security.test`, password: WRONG },
      { 'x-forwarded-for': testAddress() },
    );
    expect(answer, `attempt ${i + 1}`).toMatchObject({ status: 401, error: 'CredentialsSignin' });
  }
  const refused = await postSignInFrom(
    baseURL!,
    socket,
    { email: `forged-x-${socket}@e2e-security.test`, password: WRONG },
    { 'x-forwarded-for': testAddress() },
  );
  expect(refused).toMatchObject({ status: 429, error: 'TooManyAttempts' });
  expect(Number(refused.retryAfter)).toBeGreaterThan(60);
  // The limit is the socket's, not everyone's.
  const other = await postSignInFrom(baseURL!, '127.0.0.9', { email: `forged-other@e2e-security.test`, password: WRONG });
  expect(other).toMatchObject({ status: 401, error: 'CredentialsSignin' });
});
