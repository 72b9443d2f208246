import { expect, test, type APIRequestContext } from '@playwright/test';
import { policyNonce, securityHeaderProblems, watchCsp } from '@repo/e2e/security';

import { shortServerUrl } from './short-server';
import { adminQuery, org, orgApi, signIn, skipWithoutChromium, tenantId } from './support';

skipWithoutChromium(test);

// Every response carries the security headers (src/proxy.ts with @repo/auth/proxy), and every page works under the
// Content-Security-Policy: no violation is reported while a user goes through all of them in Chromium.

interface Ids {
  project: string;
  task: string;
}

async function acmeIds(): Promise<Ids> {
  const acme = await tenantId('acme');
  const [row] = await adminQuery<{ project: string; task: string }>(
    'SELECT p.id AS project, t.id AS task FROM public.projects p JOIN public.tasks t ON t.tenant_id = p.tenant_id AND t.project_id = p.id WHERE p.tenant_id = $1 ORDER BY p.name LIMIT 1',
    [acme],
  );
  if (!row) throw new Error('acme has no task');
  return row;
}

/** Every page of the app, and paths that end in its not-found page. */
const pages = (ids: Ids) => [
  '/',
  '/sign-in',
  '/sign-in?callbackUrl=%2Fo%2Facme%2Fmembers',
  org('acme', '/projects'),
  org('acme', '/projects?page=2'),
  org('acme', `/projects/${ids.project}`),
  org('acme', `/projects/${ids.project}/tasks/${ids.task}`),
  org('acme', '/projects/00000000-0000-4000-8000-000000000000'),
  org('acme', '/members'),
  org('no-such-organisation', '/projects'),
  '/no-workspace',
  '/no-such-page',
];

/** Every API route. */
const apiRoutes = [
  orgApi('acme', '/projects'),
  orgApi('no-such-organisation', '/projects'),
  '/api/auth/session',
  '/api/auth/csrf',
  '/api/auth/providers',
  '/api/auth/signin',
  '/api/auth/signout',
];

async function expectHeaders(request: APIRequestContext, paths: string[], options: { https: boolean; headers?: Record<string, string> }): Promise<string[]> {
  const nonces: string[] = [];
  for (const path of paths) {
    const response = await request.get(path, { maxRedirects: 0, headers: options.headers });
    expect(securityHeaderProblems(response.headers(), { https: options.https }), `GET ${path} (${response.status()})`).toEqual([]);
    nonces.push(policyNonce(response.headers())!);
  }
  return nonces;
}

test('every page and API route answers with the security headers, signed out and signed in; each response has its own nonce', async ({ page, request }) => {
  const ids = await acmeIds();
  const signedOut = await expectHeaders(request, [...pages(ids), ...apiRoutes], { https: false });

  // The assets the sign-in page loads.
  const html = await (await request.get('/sign-in')).text();
  const assets = [...new Set([...html.matchAll(/(?:src|href)="(\/_next\/static\/[^"]+)"/g)].map((match) => match[1]!))];
  expect(assets.length).toBeGreaterThan(0);
  await expectHeaders(request, assets, { https: false });

  // A POST too: next-auth's credentials callback, refused.
  const csrf = (await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const post = await request.post('/api/auth/callback/credentials', {
    form: { csrfToken: csrf.csrfToken, email: 'nobody@headers.test', password: 'wrong', json: 'true' },
    maxRedirects: 0,
  });
  expect(securityHeaderProblems(post.headers(), { https: false }), `POST /api/auth/callback/credentials (${post.status()})`).toEqual([]);

  await signIn(page, 'alice@acme.test');
  const signedIn = await expectHeaders(page.request, [...pages(ids), ...apiRoutes], { https: false });

  const all = [...signedOut, ...signedIn];
  expect(new Set(all).size, 'a nonce was used twice').toBe(all.length);
});

test('no HSTS over plain http, even when a client claims https: this server trusts no proxy', async ({ request }) => {
  await expectHeaders(request, ['/sign-in', org('acme', '/projects'), orgApi('acme', '/projects')], {
    https: false,
    headers: { 'x-forwarded-proto': 'https' },
  });
});

test('HSTS when the proxy it trusts says https (TRUST_PROXY=1), and only then', async ({ playwright }) => {
  const proxied = await playwright.request.newContext({ baseURL: shortServerUrl });
  try {
    await expectHeaders(proxied, ['/sign-in', org('acme', '/projects'), orgApi('acme', '/projects'), '/api/auth/csrf'], {
      https: true,
      headers: { 'x-forwarded-proto': 'https' },
    });
    await expectHeaders(proxied, ['/sign-in', org('acme', '/projects'), orgApi('acme', '/projects')], {
      https: false,
      headers: { 'x-forwarded-proto': 'http' },
    });
    await expectHeaders(proxied, ['/sign-in'], { https: false });
  } finally {
    await proxied.dispose();
  }
});

test('every page works under the policy: no violation reported in Chromium', async ({ page }) => {
  const ids = await acmeIds();
  const csp = await watchCsp(page);

  await page.goto('/sign-in');
  // The form is React's (client-side validation): it only answers if the page's scripts ran.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Enter a valid email address')).toBeVisible();
  await signIn(page, 'alice@acme.test');

  for (const path of pages(ids).filter((path) => !path.startsWith('/sign-in'))) {
    await page.goto(path);
    await expect(page.locator('body')).not.toBeEmpty();
  }
  // Client-side navigation, a menu and a server action (a project created), all scripted.
  await page.goto(org('acme', '/projects'));
  await page.getByTestId('tenant-switcher').click();
  await expect(page.getByRole('menu', { name: 'Workspaces' })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: /New project/ }).click();
  const form = page.getByRole('form', { name: 'Create a project' });
  await form.getByLabel('Name').fill(`CSP check ${Date.now().toString(36)}`);
  await form.getByRole('button', { name: 'Create project' }).click();
  await expect(page).toHaveURL(/\/o\/acme\/projects\/[0-9a-f-]{36}$/);
  await page.getByRole('link', { name: 'Members' }).first().click();
  await expect(page).toHaveURL(/\/o\/acme\/members$/);
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  expect(csp.violations()).toEqual([]);
});
