import { skipWithoutChromium } from '@repo/e2e/chromium';
import { hashPassword } from '@repo/auth/password';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';

import { createOperator, testAddress, type TestOperator } from './operators';
import { SHORT_TIMERS, shortServerUrl } from './short-server';
import { hydrated, sql } from './support';

skipWithoutChromium(test);

// The console's session cookie names a session in public.operator_sessions, checked on every request, as the web
// app's: signing out ends it for every copy of the cookie; it ends after SESSION_IDLE_SECONDS without a request and
// SESSION_MAX_AGE_SECONDS after sign-in (the short-timer server: 6 s and 20 s), and when the operator's password changes.

const SESSION_COOKIE = 'admin.session-token';

async function signedIn(
  browser: Browser,
  operator: TestOperator,
  baseURL: string | undefined,
  extraHTTPHeaders?: Record<string, string>,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, ...(extraHTTPHeaders ? { extraHTTPHeaders } : {}) });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email').fill(operator.email);
  await page.getByLabel('Password').fill(operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/tenants$/);
  return { context, page };
}

async function expectSignedIn(page: Page): Promise<void> {
  await page.goto('/pools');
  await expect(page).toHaveURL(/\/pools$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pools');
}

async function expectSignedOut(page: Page): Promise<void> {
  await page.goto('/pools');
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

async function sessionCookies(context: BrowserContext) {
  const cookies = (await context.cookies()).filter((cookie) => cookie.name.startsWith(SESSION_COOKIE));
  expect(cookies.length).toBeGreaterThan(0);
  // Kept by a browser that ignores the cookie's expiry (a copy): only the server can refuse it.
  return cookies.map((cookie) => ({ ...cookie, expires: -1 }));
}

async function withCopy<T>(
  browser: Browser,
  cookies: Awaited<ReturnType<typeof sessionCookies>>,
  baseURL: string | undefined,
  work: (page: Page) => Promise<T>,
): Promise<T> {
  const copy = await browser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testAddress() } });
  try {
    await copy.addCookies(cookies);
    return await work(await copy.newPage());
  } finally {
    await copy.close();
  }
}

test('signing out ends the session on the server: a copy of the cookie made before no longer works', async ({ browser, baseURL }) => {
  const operator = await createOperator('sign-out');
  const { context, page } = await signedIn(browser, operator, baseURL);
  try {
    const cookies = await sessionCookies(context);
    // The API's answer to a same-origin post with an empty body: refused as invalid input while signed in (422), as
    // signed out (401) once the session has ended.
    const postTenants = (thief: Page) => thief.request.post('/api/tenants', { data: {}, headers: { origin: new URL(baseURL!).origin }, maxRedirects: 0 });
    await withCopy(browser, cookies, baseURL, expectSignedIn);
    await withCopy(browser, cookies, baseURL, async (thief) => expect((await postTenants(thief)).status()).toBe(422));
    await hydrated(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await withCopy(browser, cookies, baseURL, expectSignedOut);
    await withCopy(browser, cookies, baseURL, async (thief) => expect((await postTenants(thief)).status()).toBe(401));
    expect(await sql('SELECT end_reason FROM public.operator_sessions WHERE account_id = $1', [operator.id])).toEqual([{ end_reason: 'signed-out' }]);
  } finally {
    await context.close();
  }
});

test('a changed password ends the operator`s sessions', async ({ browser, baseURL }) => {
  const operator = await createOperator('password');
  const { context, page } = await signedIn(browser, operator, baseURL);
  try {
    await expectSignedIn(page);
    await sql('UPDATE public.operators SET password_hash = $2 WHERE id = $1', [operator.id, await hashPassword('a-brand-new-password')]);
    await expectSignedOut(page);
  } finally {
    await context.close();
  }
});

test.describe('on the short-timer server', () => {
  test('a session ends after the idle timeout without a request, and lives on while requests come', async ({ browser }) => {
    const operator = await createOperator('idle');
    const idle = await signedIn(browser, operator, shortServerUrl, { 'x-forwarded-for': testAddress() });
    const busy = await signedIn(browser, operator, shortServerUrl, { 'x-forwarded-for': testAddress() });
    try {
      const started = Date.now();
      while (Date.now() - started < (SHORT_TIMERS.SESSION_IDLE_SECONDS + 2) * 1000) {
        await busy.page.waitForTimeout(2_000);
        await expectSignedIn(busy.page);
      }
      await expectSignedOut(idle.page);
      await expectSignedIn(busy.page);
    } finally {
      await idle.context.close();
      await busy.context.close();
    }
  });

  test('a session ends at its maximum age, however busy', async ({ browser }) => {
    const operator = await createOperator('max-age');
    // Before the sign-in: the session starts after this, so it is still young whenever this clock says so.
    const started = Date.now();
    const { context, page } = await signedIn(browser, operator, shortServerUrl, { 'x-forwarded-for': testAddress() });
    const maxAge = SHORT_TIMERS.SESSION_MAX_AGE_SECONDS * 1000;
    try {
      // A request every 1.5 s (next-auth's session endpoint, which checks the session too), well past the idle timeout,
      // until 3 s before the maximum age.
      for (;;) {
        await page.waitForTimeout(1_500);
        if (Date.now() - started >= maxAge - 3_000) break;
        expect(await (await page.request.get('/api/auth/session')).json()).toMatchObject({ user: { email: operator.email } });
      }
      // The cookie as it was, kept by a browser that ignores its expiry (a copy): only the server can refuse it now.
      const cookies = await sessionCookies(context);
      await page.waitForTimeout(Math.max(0, started + maxAge + 2_000 - Date.now()));
      await withCopy(browser, cookies, shortServerUrl, expectSignedOut);
      await expectSignedOut(page);
    } finally {
      await context.close();
    }
  });
});
