import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { changeUserPassword } from '@repo/auth/password-change';
import { decode } from 'next-auth/jwt';
import pg from 'pg';

import { SHORT_TIMERS, shortServerUrl } from './short-server';
import { adminQuery, org, orgApi, skipWithoutChromium, tenantId } from './support';
import { createUser, testAddress, type TestUser } from './users';

skipWithoutChromium(test);

// The session cookie names a session in public.user_sessions, checked on every request: signing out ends it for every
// copy of the cookie; it ends after SESSION_IDLE_SECONDS without a request and SESSION_MAX_AGE_SECONDS after sign-in
// (the short-timer server: 6 s and 20 s); removing the member or changing the password ends the user's other sessions.

const SESSION_COOKIE = 'web.session-token';

async function signedIn(
  browser: Browser,
  user: TestUser,
  baseURL: string | undefined,
  extraHTTPHeaders?: Record<string, string>,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, ...(extraHTTPHeaders ? { extraHTTPHeaders } : {}) });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/projects$/);
  return { context, page };
}

async function expectSignedIn(page: Page): Promise<void> {
  await page.goto(org('acme', '/projects'));
  await expect(page).toHaveURL(/\/o\/acme\/projects$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
}

async function expectSignedOut(page: Page): Promise<void> {
  await page.goto(org('acme', '/projects'));
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

/** The session cookie of `context`, copied into a fresh context: what someone who stole it would hold. */
async function copyOfSession(browser: Browser, context: BrowserContext, baseURL: string | undefined): Promise<{ copy: BrowserContext; page: Page }> {
  const cookies = (await context.cookies()).filter((cookie) => cookie.name.startsWith(SESSION_COOKIE));
  expect(cookies.length).toBeGreaterThan(0);
  const copy = await browser.newContext({ baseURL });
  await copy.addCookies(cookies);
  return { copy, page: await copy.newPage() };
}

test('signing out ends the session on the server: a copy of the cookie made before no longer works', async ({ browser, baseURL }) => {
  const user = await createUser('sign-out');
  const { context, page } = await signedIn(browser, user, baseURL);
  const { copy, page: thief } = await copyOfSession(browser, context, baseURL);
  try {
    await expectSignedIn(thief);
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in/);

    await expectSignedOut(thief);
    expect(await (await copy.request.get('/api/auth/session')).json()).toEqual({});
    const api = await copy.request.get(orgApi('acme', '/projects'), { maxRedirects: 0 });
    expect(api.status(), 'no data for an ended session').not.toBe(200);
    const [row] = await adminQuery<{ ended: number }>('SELECT count(*)::int AS ended FROM public.user_sessions WHERE account_id = $1 AND end_reason = $2', [
      user.id,
      'signed-out',
    ]);
    expect(row!.ended).toBe(1);
  } finally {
    await copy.close();
    await context.close();
  }
});

test('removing the member ends their sessions at once', async ({ browser, baseURL }) => {
  const user = await createUser('removed');
  const one = await signedIn(browser, user, baseURL);
  const two = await signedIn(browser, user, baseURL);
  try {
    await adminQuery('DELETE FROM public.memberships WHERE user_id = $1 AND tenant_id = $2', [user.id, await tenantId('acme')]);
    await expectSignedOut(one.page);
    await expectSignedOut(two.page);
  } finally {
    await one.context.close();
    await two.context.close();
  }
});

test('a changed password ends the user`s other sessions and keeps the one that changed it', async ({ browser, baseURL }) => {
  const user = await createUser('password');
  const changer = await signedIn(browser, user, baseURL);
  const other = await signedIn(browser, user, baseURL);
  const pool = new pg.Pool({ connectionString: process.env.AUTH_DATABASE_URL, max: 1 });
  try {
    // The session id inside the changer's cookie, as the server reads it (a password form would pass its own).
    const [cookie] = (await changer.context.cookies()).filter((c) => c.name === SESSION_COOKIE);
    const token = await decode({ token: cookie!.value, secret: process.env.NEXTAUTH_SECRET! });
    expect(typeof token?.sid).toBe('string');
    // The server function a password form will call, as app_auth.
    await changeUserPassword(pool, { userId: user.id, newPassword: 'a-brand-new-password', keepSessionId: token!.sid as string });

    await expectSignedOut(other.page);
    await expectSignedIn(changer.page);
    // The old password no longer opens a session, the new one does.
    await other.page.getByLabel('Email').fill(user.email);
    await other.page.getByLabel('Password').fill(user.password);
    await other.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(other.page.locator('#sign-in-error')).toHaveText('Email or password is incorrect.');
    await other.page.getByLabel('Password').fill('a-brand-new-password');
    await other.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(other.page).toHaveURL(/\/projects$/);
  } finally {
    await pool.end();
    await changer.context.close();
    await other.context.close();
  }
});

test.describe('on the short-timer server', () => {
  test('a session ends after the idle timeout without a request, and lives on while requests come', async ({ browser }) => {
    const user = await createUser('idle');
    const idle = await signedIn(browser, user, shortServerUrl, { 'x-forwarded-for': testAddress() });
    const busy = await signedIn(browser, user, shortServerUrl, { 'x-forwarded-for': testAddress() });
    try {
      const started = Date.now();
      // Past the idle timeout, one request every 2 s keeps the busy session alive.
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
    const user = await createUser('max-age');
    // Before the sign-in: the session starts after this, so it is still young whenever this clock says so.
    const started = Date.now();
    const { context, page } = await signedIn(browser, user, shortServerUrl, { 'x-forwarded-for': testAddress() });
    const maxAge = SHORT_TIMERS.SESSION_MAX_AGE_SECONDS * 1000;
    try {
      // A request every 1.5 s (next-auth's session endpoint, which checks the session too), well past the idle timeout,
      // until 3 s before the maximum age.
      for (;;) {
        await page.waitForTimeout(1_500);
        if (Date.now() - started >= maxAge - 3_000) break;
        expect(await (await page.request.get('/api/auth/session')).json()).toMatchObject({ user: { email: user.email } });
      }
      // The cookie as it was, kept by a browser that ignores its expiry (a copy): only the server can refuse it now.
      const cookies = (await context.cookies()).filter((cookie) => cookie.name.startsWith(SESSION_COOKIE)).map((cookie) => ({ ...cookie, expires: -1 }));
      await page.waitForTimeout(Math.max(0, started + maxAge + 2_000 - Date.now()));
      const copy = await browser.newContext({ baseURL: shortServerUrl, extraHTTPHeaders: { 'x-forwarded-for': testAddress() } });
      try {
        await copy.addCookies(cookies);
        await expectSignedOut(await copy.newPage());
      } finally {
        await copy.close();
      }
      await expectSignedOut(page);
    } finally {
      await context.close();
    }
  });
});
