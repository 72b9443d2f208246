import { skipWithoutChromium } from '@repo/e2e/chromium';
import { policyNonce, securityHeaderProblems, watchCsp } from '@repo/e2e/security';
import { expect, test, type APIRequestContext } from '@playwright/test';

import { shortServerUrl } from './short-server';
import { API_ROUTES, PAGE_ROUTES, hydrated, signIn } from './support';

skipWithoutChromium(test);

// Every response carries the security headers (src/proxy.ts with @repo/auth/proxy), and every page works under the
// Content-Security-Policy: no violation is reported while an operator goes through all of them in Chromium.

const pages = ['/sign-in', '/sign-in?callbackUrl=%2Fpools', ...PAGE_ROUTES, '/no-such-page', '/icon.svg'];
const authRoutes = ['/api/auth/session', '/api/auth/csrf', '/api/auth/providers', '/api/auth/signin', '/api/auth/signout'];

async function expectHeaders(
  request: APIRequestContext,
  paths: string[],
  options: { https: boolean; method?: 'GET' | 'POST'; headers?: Record<string, string> },
): Promise<string[]> {
  const nonces: string[] = [];
  for (const path of paths) {
    const response =
      options.method === 'POST'
        ? await request.post(path, { data: {}, maxRedirects: 0, headers: options.headers })
        : await request.get(path, { maxRedirects: 0, headers: options.headers });
    expect(securityHeaderProblems(response.headers(), { https: options.https }), `${options.method ?? 'GET'} ${path} (${response.status()})`).toEqual([]);
    nonces.push(policyNonce(response.headers())!);
  }
  return nonces;
}

test('every page and API route answers with the security headers, signed out and signed in; each response has its own nonce', async ({ page, request }) => {
  const signedOut = [
    ...(await expectHeaders(request, [...pages, ...authRoutes], { https: false })),
    ...(await expectHeaders(request, API_ROUTES, { https: false, method: 'POST' })),
  ];

  const html = await (await request.get('/sign-in')).text();
  const assets = [...new Set([...html.matchAll(/(?:src|href)="(\/_next\/static\/[^"]+)"/g)].map((match) => match[1]!))];
  expect(assets.length).toBeGreaterThan(0);
  await expectHeaders(request, assets, { https: false });

  await signIn(page);
  const signedIn = [
    ...(await expectHeaders(page.request, [...pages, ...authRoutes], { https: false })),
    // Signed in, an empty body is refused by validation (400): nothing is created or migrated.
    ...(await expectHeaders(page.request, ['/api/tenants', '/api/tenants/move', '/api/tenants/export', '/api/archives'], { https: false, method: 'POST' })),
    ...(await expectHeaders(page.request, ['/api/migrate'], { https: false })),
  ];

  const all = [...signedOut, ...signedIn];
  expect(new Set(all).size, 'a nonce was used twice').toBe(all.length);
});

test('no HSTS over plain http, even when a client claims https: this server trusts no proxy', async ({ request }) => {
  await expectHeaders(request, ['/sign-in', '/tenants'], { https: false, headers: { 'x-forwarded-proto': 'https' } });
  await expectHeaders(request, API_ROUTES, { https: false, method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
});

test('HSTS when the proxy it trusts says https (TRUST_PROXY=1), and only then', async ({ playwright }) => {
  const proxied = await playwright.request.newContext({ baseURL: shortServerUrl });
  try {
    await expectHeaders(proxied, ['/sign-in', '/tenants', '/api/auth/csrf'], { https: true, headers: { 'x-forwarded-proto': 'https' } });
    await expectHeaders(proxied, API_ROUTES, { https: true, method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
    await expectHeaders(proxied, ['/sign-in', '/tenants'], { https: false, headers: { 'x-forwarded-proto': 'http' } });
    await expectHeaders(proxied, ['/sign-in'], { https: false });
  } finally {
    await proxied.dispose();
  }
});

test('every page works under the policy: no violation reported in Chromium', async ({ page }) => {
  const csp = await watchCsp(page);
  await signIn(page);
  for (const path of PAGE_ROUTES) {
    await page.goto(path);
    await hydrated(page);
  }
  await page.goto('/no-such-page');
  await expect(page.locator('body')).not.toBeEmpty();
  // Scripted parts: client-side navigation, the create form's own validation (a server round trip refused, nothing
  // created), and the sign-out button.
  await page.goto('/tenants');
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Create' }).click();
  await expect(page).toHaveURL(/\/tenants\/new$/);
  await hydrated(page);
  await page.getByLabel('Admin email').fill('not-an-email');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByText('Enter a valid email address.')).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pools' }).click();
  await expect(page).toHaveURL(/\/pools$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  expect(csp.violations()).toEqual([]);
});
