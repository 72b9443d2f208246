import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test } from '@playwright/test';

import { OPERATOR, PAGE_ROUTES, signIn, sql } from './support';

skipWithoutChromium(test);

// The proxy only checks that the session cookie is valid and carries the operator claim. Pages, server actions and
// the API check the operator again against public.operators (src/server/session.ts: requireOperator, and getOperator
// in operatorPost): an operator deleted while their cookie is live is signed out at their next request, not when the
// cookie expires.

/** POST bodies the schemas refuse (422), so an accepted session runs nothing; without one the answer is 401. */
const REFUSED_BODIES = { '/api/tenants': {}, '/api/migrate': { concurrency: 0 }, '/api/tenants/move': {}, '/api/tenants/plan': {} } as const;

test('an operator deleted while their cookie is live: every page answers as signed out, the API with 401', async ({ page, context, baseURL }) => {
  // An operator of its own, with the seeded operator's password: its argon2 hash is copied inside the database.
  const email = `deleted-${Date.now().toString(36)}@operators.test`;
  const [operator] = await sql<{ id: string }>(
    "INSERT INTO public.operators (email, name, password_hash) SELECT $1, 'Deleted Operator', password_hash FROM public.operators WHERE email = $2 RETURNING id",
    [email, OPERATOR.email],
  );
  expect(operator, 'the seeded operator exists to copy the hash from').toBeDefined();
  const api = (route: keyof typeof REFUSED_BODIES) => page.request.post(route, { data: REFUSED_BODIES[route], headers: { origin: baseURL! }, maxRedirects: 0 });

  await signIn(page, { email, password: OPERATOR.password });
  await expect(page.getByText('Deleted Operator')).toBeVisible();
  for (const route of ['/pools', '/migrate']) {
    await page.goto(route);
    expect(new URL(page.url()).pathname, route).toBe(route);
  }
  for (const route of Object.keys(REFUSED_BODIES) as (keyof typeof REFUSED_BODIES)[]) expect((await api(route)).status(), route).toBe(422);

  await sql('DELETE FROM public.operators WHERE id = $1', [operator!.id]);

  // The cookie is still there and still valid: the proxy lets every request through to the server-side check.
  expect((await context.cookies()).map((cookie) => cookie.name)).toContain('admin.session-token');
  for (const route of PAGE_ROUTES) {
    await page.goto(route);
    // A redirect while rendering may reach the browser as a 307 or as a client-side navigation: wait for the URL.
    await expect(page, `${route} after the operator was deleted`).toHaveURL((url) => url.pathname === '/sign-in');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByText('Deleted Operator')).toHaveCount(0);
  }
  for (const route of Object.keys(REFUSED_BODIES) as (keyof typeof REFUSED_BODIES)[]) {
    const response = await api(route);
    expect(response.status(), `${route} after the operator was deleted`).toBe(401);
    expect(await response.json()).toEqual({ error: 'Sign in as an operator first.' });
  }
});
