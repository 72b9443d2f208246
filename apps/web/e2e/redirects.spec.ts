import { expect, test, type APIRequestContext } from '@playwright/test';

import { PASSWORD, skipWithoutChromium } from './support';

skipWithoutChromium(test);

// Every redirect target that comes from a request stays on this app (@repo/auth/redirect): each of these reads as a
// path to a prefix check and as another host to a URL parser, which is what the browser follows. Anything off-site
// goes to the home page (which sends a signed-in user on to the projects).

/** As written in a URL's query (`%09` is a tab once decoded). */
const OFF_SITE = [
  '/\\evil.example',
  '/%09/evil.example',
  '//evil.example',
  'https://evil.example',
  '/\\t/evil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
];

const decoded = (raw: string) => decodeURIComponent(raw);

function expectOnSite(location: string | undefined, baseURL: string, what: string): URL {
  expect(location, `${what}: no Location`).toBeTruthy();
  const target = new URL(location!, baseURL);
  expect(target.origin, `${what} -> ${location}`).toBe(new URL(baseURL).origin);
  expect(target.pathname, `${what} -> ${location}`).not.toMatch(/^\/\/|^\/\\/);
  return target;
}

async function csrf(request: APIRequestContext): Promise<string> {
  return ((await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string }).csrfToken;
}

for (const raw of OFF_SITE) {
  test(`sign-in in Chromium with callbackUrl=${raw} lands on this app`, async ({ page, baseURL }) => {
    const offSite: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).origin !== new URL(baseURL!).origin) offSite.push(request.url());
    });
    await page.goto(`/sign-in?callbackUrl=${raw}`);
    await page.getByLabel('Email').fill('carol@acme.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/o\/acme\/projects$/);
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
    expect(offSite).toEqual([]);
  });
}

test('every redirect that is a response header stays on this app', async ({ playwright, baseURL }) => {
  const request = await playwright.request.newContext({ baseURL });
  try {
    for (const raw of OFF_SITE) {
      // next-auth's sign-in entry: its Location, and the callbackUrl it passes on to the sign-in page.
      const entry = await request.get(`/api/auth/signin?callbackUrl=${raw}`, { maxRedirects: 0 });
      const signInPage = expectOnSite(entry.headers().location, baseURL!, `GET /api/auth/signin ${raw}`);
      expectOnSite(signInPage.searchParams.get('callbackUrl') ?? undefined, baseURL!, `callbackUrl passed on for ${raw}`);

      // The credentials callback without json (a plain form post): next-auth redirects to the callbackUrl.
      const signedIn = await request.post('/api/auth/callback/credentials', {
        form: { csrfToken: await csrf(request), email: 'carol@acme.test', password: PASSWORD, callbackUrl: decoded(raw) },
        maxRedirects: 0,
      });
      expect(signedIn.status(), `POST callback ${raw}`).toBe(302);
      expectOnSite(signedIn.headers().location, baseURL!, `POST /api/auth/callback/credentials ${raw}`);

      // The callback-url cookie next-auth keeps is on this app too.
      const cookie = (await request.storageState()).cookies.find((c) => c.name === 'web.callback-url');
      expectOnSite(cookie && decodeURIComponent(cookie.value), baseURL!, `web.callback-url cookie for ${raw}`);

      // Signed in, the sign-in page sends the visitor on to its callbackUrl.
      const page = await request.get(`/sign-in?callbackUrl=${raw}`, { maxRedirects: 0 });
      expect(page.status(), `GET /sign-in ${raw}`).toBe(307);
      expect(expectOnSite(page.headers().location, baseURL!, `GET /sign-in ${raw}`).pathname).toBe('/');

      // Sign-out with a target.
      const signedOut = await request.post('/api/auth/signout', { form: { csrfToken: await csrf(request), callbackUrl: decoded(raw) }, maxRedirects: 0 });
      expect(signedOut.status(), `POST signout ${raw}`).toBe(302);
      expectOnSite(signedOut.headers().location, baseURL!, `POST /api/auth/signout ${raw}`);
    }
  } finally {
    await request.dispose();
  }
});

test('a path of this app is kept: callbackUrl=/o/acme/members returns there after sign-in', async ({ page }) => {
  await page.goto('/sign-in?callbackUrl=%2Fo%2Facme%2Fmembers%3Fx%3D1');
  await page.getByLabel('Email').fill('carol@acme.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/o\/acme\/members\?x=1$/);
});
