import { setTimeout as sleep } from 'node:timers/promises';

import { expect, test, type Page } from '@playwright/test';

import { adminQuery, org, orgApi, PASSWORD, signIn, skipWithoutChromium, tenantId, userContext } from './support';

skipWithoutChromium(test);

// Every request checks the organisation of its address against the user's memberships and takes the role from them
// (src/server/session.ts), never from the cookie: a member whose role changed acts with the new role at their next
// request, without signing out. The memberships are cached for MEMBERSHIP_TTL_MS
// (src/server/auth/accounts.ts): the process that makes a change forgets its copy at once; any other process (another
// web server, the admin app, SQL) is seen when that copy expires. A removed member does not wait for that: deleting
// the membership ends the user's sessions in the same transaction (migration 0006's trigger), whoever deletes it.

/** src/server/auth/accounts.ts MEMBERSHIP_TTL_MS. */
const MEMBERSHIP_TTL_MS = 10_000;

interface TestUser {
  id: string;
  email: string;
  name: string;
}

const created: string[] = [];

/**
 * A user of their own (other specs rely on the seeded ones' memberships), with the seeded users' password: its argon2
 * hash is copied inside the database from a seeded user, so no password is sent at all.
 */
async function newUser(first: string, memberships: [tenant: string, role: 'admin' | 'member' | 'viewer'][]): Promise<TestUser> {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const email = `${first}-${suffix}@recheck.test`;
  const name = `${first[0]!.toUpperCase()}${first.slice(1)} Recheck ${suffix}`;
  const [user] = await adminQuery<{ id: string }>(
    "INSERT INTO public.users (email, name, password_hash) SELECT $1, $2, password_hash FROM public.users WHERE email = 'alice@acme.test' RETURNING id",
    [email, name],
  );
  created.push(user!.id);
  for (const [slug, role] of memberships) {
    await adminQuery('INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)', [user!.id, await tenantId(slug), role]);
  }
  return { id: user!.id, email, name };
}

test.afterAll(async () => {
  if (created.length) await adminQuery('DELETE FROM public.users WHERE id = ANY($1::uuid[])', [created]);
});

async function projectNames(page: Page, slug: string): Promise<{ status: number; names: string[] }> {
  const response = await page.request.get(orgApi(slug, '/projects'), { maxRedirects: 0 });
  if (response.status() !== 200) return { status: response.status(), names: [] };
  const { projects } = (await response.json()) as { projects: { name: string }[] };
  return { status: 200, names: projects.map((project) => project.name) };
}

test('a role changed on the members page applies to that member’s next request at once, in the process that changed it', async ({ page, browser, baseURL }) => {
  const rita = await newUser('rita', [['initech', 'member']]);
  // The admin's members page is open before Rita signs in, so the change below takes seconds.
  await signIn(page, 'peter@initech.test');
  await page.goto(org('initech', '/members'));
  const role = page.getByLabel(`Role of ${rita.name}`, { exact: true });
  await expect(role).toHaveValue('member');

  // Signing in reads Rita's memberships and caches them for MEMBERSHIP_TTL_MS from then on.
  const member = { context: await browser.newContext({ baseURL }) };
  const memberPage = await member.context.newPage();
  try {
    await memberPage.goto('/sign-in');
    await memberPage.getByLabel('Email').fill(rita.email);
    await memberPage.getByLabel('Password').fill(PASSWORD);
    const cachedFrom = Date.now();
    await memberPage.getByRole('button', { name: 'Sign in' }).click();
    await expect(memberPage).toHaveURL(/\/o\/initech\/projects$/);
    await expect(memberPage.getByTestId('tenant-switcher')).toContainText('Member');
    await expect(memberPage.getByRole('button', { name: /New project/ })).toBeVisible();

    await role.selectOption('viewer');
    await page.getByRole('button', { name: `Save role of ${rita.name}` }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Role updated.' })).toBeVisible();

    // She signed in as a member; her next request acts as a viewer.
    await memberPage.reload();
    await expect(memberPage.getByTestId('tenant-switcher')).toContainText('Viewer');
    await expect(memberPage.getByRole('button', { name: /New project/ })).toHaveCount(0);
    // All of it inside the cache window: had this process kept its copy, the old role would have been served here.
    const elapsed = Date.now() - cachedFrom;
    console.log(`[membership-recheck] role change seen ${elapsed} ms after the memberships were cached`);
    expect(elapsed, 'too slow to show anything: the cached memberships had expired anyway').toBeLessThan(MEMBERSHIP_TTL_MS);
  } finally {
    await member.context.close();
  }
});

test('a member removed by another process is signed out at once; one whose role changed gets the new role once the cached memberships expire', async ({
  browser,
  baseURL,
}) => {
  // Sam belongs to Globex and Initech; signing in lands him in Globex (first by name).
  const sam = await newUser('sam', [
    ['globex', 'member'],
    ['initech', 'member'],
  ]);
  const victor = await newUser('victor', [['initech', 'member']]);
  const tess = await newUser('tess', [['initech', 'member']]);
  const users = {
    sam: await userContext(browser, baseURL, sam.email),
    victor: await userContext(browser, baseURL, victor.email),
    tess: await userContext(browser, baseURL, tess.email),
  };
  const again: { context: { close(): Promise<void> } }[] = [];
  try {
    await expect(users.sam.page.getByTestId('tenant-switcher')).toContainText('Globex');
    expect((await projectNames(users.sam.page, 'globex')).names).toContain('Billing migration');
    expect((await projectNames(users.victor.page, 'initech')).names).toContain('TPS reports');
    await expect(users.tess.page.getByRole('button', { name: /New project/ })).toBeVisible();

    // Another process changes the memberships (the database itself stands in for it): nothing in this web process
    // forgets its cached copy.
    const changedAt = Date.now();
    await adminQuery('DELETE FROM public.memberships WHERE user_id = $1 AND tenant_id = $2', [sam.id, await tenantId('globex')]);
    await adminQuery('DELETE FROM public.memberships WHERE user_id = $1', [victor.id]);
    await adminQuery("UPDATE public.memberships SET role = 'viewer' WHERE user_id = $1", [tess.id]);

    // Removed from Globex, Sam is out at once, inside the cache window: no data through the API, the sign-in page.
    expect(await projectNames(users.sam.page, 'globex')).toEqual({ status: 401, names: [] });
    expect(await projectNames(users.sam.page, 'initech')).toEqual({ status: 401, names: [] });
    await users.sam.page.goto(org('initech', '/projects'));
    await expect(users.sam.page).toHaveURL(/\/sign-in/);
    expect(Date.now() - changedAt, 'signed out before the cached memberships could expire').toBeLessThan(MEMBERSHIP_TTL_MS);
    // Signed in again, he lands in Initech, the one he still belongs to; Globex's address is a 404 and nothing of it shows.
    const samAgain = await userContext(browser, baseURL, sam.email);
    again.push(samAgain);
    await expect(samAgain.page.getByTestId('tenant-switcher')).toContainText('Initech');
    await expect(samAgain.page.getByRole('link', { name: 'TPS reports' })).toBeVisible();
    await expect(samAgain.page.getByRole('link', { name: 'Billing migration' })).toHaveCount(0);
    await expect(samAgain.page).toHaveURL(/\/o\/initech\/projects$/);
    const samApi = await projectNames(samAgain.page, 'initech');
    expect(samApi.names).toContain('TPS reports');
    expect(samApi.names).not.toContain('Billing migration');
    expect((await projectNames(samAgain.page, 'globex')).status).toBe(404);
    expect((await samAgain.page.goto(org('globex', '/projects')))?.status()).toBe(404);

    // Victor belongs to no tenant any more: signed out too, and signed in again he reaches the no-workspace page only.
    expect(await projectNames(users.victor.page, 'initech')).toEqual({ status: 401, names: [] });
    await users.victor.page.goto(org('initech', '/projects'));
    await expect(users.victor.page).toHaveURL(/\/sign-in/);
    const victorAgain = await users.victor.context.newPage();
    await victorAgain.goto('/sign-in');
    await victorAgain.getByLabel('Email').fill(victor.email);
    await victorAgain.getByLabel('Password').fill(PASSWORD);
    await victorAgain.getByRole('button', { name: 'Sign in' }).click();
    await expect(victorAgain).toHaveURL(/\/no-workspace$/);
    await expect(victorAgain.getByRole('heading', { name: 'No workspace yet' })).toBeVisible();

    // Tess signed in as a member; once this process's copy of her memberships expires, she is a viewer.
    await sleep(changedAt + MEMBERSHIP_TTL_MS + 500 - Date.now());
    await users.tess.page.reload();
    await expect(users.tess.page.getByTestId('tenant-switcher')).toContainText('Viewer');
    await expect(users.tess.page.getByRole('button', { name: /New project/ })).toHaveCount(0);
  } finally {
    for (const user of [...Object.values(users), ...again]) await user.context.close();
  }
});
