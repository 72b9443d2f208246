import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test } from '@playwright/test';
import { encode } from 'next-auth/jwt';

import { API_ROUTES, OPERATOR, PAGE_ROUTES, TENANT_USER, hydrated, screenshot, signIn } from './support';

skipWithoutChromium(test);

test('every page redirects a request without an operator session to the sign-in page', async ({ request }) => {
  for (const route of PAGE_ROUTES) {
    const response = await request.get(route, { maxRedirects: 0 });
    expect(response.status(), route).toBe(307);
    const location = new URL(response.headers().location!, 'http://x');
    expect(location.pathname, route).toBe('/sign-in');
    if (route !== '/') expect(location.searchParams.get('callbackUrl'), route).toBe(route);
  }
  for (const route of API_ROUTES) {
    const response = await request.post(route, { data: {}, maxRedirects: 0 });
    expect(response.status(), route).toBe(401);
  }
});

test('a tenant user of the web app cannot sign in here', async ({ page }, testInfo) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email').fill(TENANT_USER.email);
  await page.getByLabel('Password').fill(TENANT_USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not an operator account' })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
  await screenshot(page, testInfo, 'signin-refused');
  // Still locked out.
  await page.goto('/tenants');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Ftenants/);
});

test('a session token signed for the web app does not open the console', async ({ page, context, baseURL }) => {
  // What a web session looks like: signed with NEXTAUTH_SECRET itself. Even with the operator claim and under
  // this app's cookie name it must not decrypt here (the console derives its own key).
  const token = await encode({
    token: { sub: '00000000-0000-4000-8000-000000000000', kind: 'operator', email: OPERATOR.email },
    secret: process.env.NEXTAUTH_SECRET!,
  });
  await context.addCookies([{ name: 'admin.session-token', value: token, url: baseURL! }]);
  await page.goto('/tenants');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('an operator signs in, lands where they were going, and signs out', async ({ page }, testInfo) => {
  await page.goto('/pools');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fpools/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tenancy Operator Console');
  await hydrated(page);
  await screenshot(page, testInfo, 'signin');
  await page.getByLabel('Email').fill(OPERATOR.email);
  await page.getByLabel('Password').fill(OPERATOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/pools$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pools');

  await hydrated(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/tenants');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Ftenants/);

  await signIn(page);
});
