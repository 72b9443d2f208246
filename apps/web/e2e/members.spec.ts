import { expect, test, type Page, type Request } from '@playwright/test';

import { adminQuery, org, screenshot, signIn, skipWithoutChromium, tenantId, userContext } from './support';

skipWithoutChromium(test);

// The members page of each role, and the database behind it: owners give any role and remove anyone, admins anything
// but owners, members and viewers nothing; anyone leaves, except the last owner. The page offers only what the
// database (public.set_member_role, remove_member, leave_organisation) allows, and a post the page would not offer,
// forged from a captured one, is refused by the database with the same message. Globex: no other spec depends on its
// roles; its seeded owner Gina is its only owner once this spec's owner has left.

const PATH = org('globex', '/members');
const created: string[] = [];

interface Member {
  id: string;
  email: string;
  name: string;
}

/** A Globex member of this spec's own, with the seeded users' password (its hash copied inside the database). */
async function member(label: string, role: 'owner' | 'admin' | 'member' | 'viewer'): Promise<Member> {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const email = `${label}-${suffix}@members.test`;
  const name = `${label[0]!.toUpperCase()}${label.slice(1)} ${suffix}`;
  const [user] = await adminQuery<{ id: string }>(
    "INSERT INTO public.users (email, name, password_hash) SELECT $1, $2, password_hash FROM public.users WHERE email = 'gina@globex.test' RETURNING id",
    [email, name],
  );
  created.push(user!.id);
  await adminQuery('INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)', [user!.id, await tenantId('globex'), role]);
  return { id: user!.id, email, name };
}

test.afterAll(async () => {
  if (created.length) await adminQuery('DELETE FROM public.users WHERE id = ANY($1::uuid[])', [created]);
});

async function roleOf(userId: string): Promise<string | null> {
  const [row] = await adminQuery<{ role: string }>('SELECT role FROM public.memberships WHERE user_id = $1 AND tenant_id = $2', [
    userId,
    await tenantId('globex'),
  ]);
  return row?.role ?? null;
}

interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Runs `submit` but stops the server-action POST it makes in the browser, keeping it to replay. */
async function capture(page: Page, submit: () => Promise<void>): Promise<CapturedAction> {
  let captured: CapturedAction | undefined;
  await page.route('**/*', async (route) => {
    const request: Request = route.request();
    const headers = await request.allHeaders();
    if (request.method() !== 'POST' || !headers['next-action']) return route.fallback();
    captured = { url: request.url(), headers, body: request.postDataBuffer() ?? Buffer.alloc(0) };
    await route.abort();
  });
  await submit();
  await expect.poll(() => captured !== undefined).toBe(true);
  await page.unroute('**/*');
  return captured!;
}

/** The captured POST sent again with `page`'s cookies, its form values changed; the action's answer. */
async function replay(page: Page, captured: CapturedAction, change: [from: string, to: string][] = []): Promise<string> {
  const keep = ['next-action', 'next-router-state-tree', 'content-type', 'accept', 'origin'];
  const headers = Object.fromEntries(Object.entries(captured.headers).filter(([key]) => keep.includes(key)));
  let body = captured.body.toString('utf8');
  for (const [from, to] of change) {
    expect(body, `the captured post carries ${from}`).toContain(from);
    body = body.split(from).join(to);
  }
  const response = await page.request.post(captured.url, { headers, data: Buffer.from(body, 'utf8') });
  expect(response.status()).toBe(200);
  return response.text();
}

const options = async (page: Page, name: string) => page.getByLabel(`Role of ${name}`, { exact: true }).locator('option').allTextContents();

test('each role sees what it may do on the members page, and the database refuses what the page does not offer', async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  // Six browser contexts sign in one after another: about 30 s alone, past the default minute on a busy CI machine.
  test.setTimeout(150_000);
  const owner = await member('olga', 'owner');
  const admin = await member('adam', 'admin');
  const worker = await member('mia', 'member');
  const viewer = await member('vic', 'viewer');

  await test.step('a viewer (and a member) sees roles and no controls but Leave, with a hint', async () => {
    for (const who of [viewer, worker]) {
      const ctx = await userContext(browser, baseURL, who.email);
      try {
        await ctx.page.goto(PATH);
        await expect(ctx.page.getByRole('table', { name: 'Members' })).toContainText(owner.name);
        await expect(ctx.page.getByRole('combobox')).toHaveCount(0);
        await expect(ctx.page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
        await expect(ctx.page.getByRole('button', { name: 'Leave workspace' })).toBeVisible();
        await expect(ctx.page.getByTestId('role-hint')).toContainText('Only owners and admins can change roles or remove members');
        if (who === viewer) await screenshot(ctx.page, testInfo, 'members-viewer');
      } finally {
        await ctx.context.close();
      }
    }
  });

  // Mia stays signed in: her removal below must end this session.
  const removed = await userContext(browser, baseURL, worker.email);
  const adminPage = await userContext(browser, baseURL, admin.email);
  try {
    await test.step('an admin gets no control over an owner and cannot give the owner role', async () => {
      const p = adminPage.page;
      await p.goto(PATH);
      await expect(p.getByTestId('role-hint')).toContainText('Only owners can change an owner’s role');
      await expect(p.getByLabel(`Role of ${owner.name}`, { exact: true })).toHaveCount(0);
      await expect(p.getByRole('button', { name: `Remove ${owner.name}` })).toHaveCount(0);
      expect(await options(p, worker.name)).toEqual(['Admin', 'Member', 'Viewer']);
      await expect(p.getByRole('button', { name: `Remove ${worker.name}` })).toBeVisible();
      await screenshot(p, testInfo, 'members-admin');
    });

    await test.step("forged from the admin's own posts: removing an owner, making someone owner; the database refuses both", async () => {
      const p = adminPage.page;
      p.on('dialog', (dialog) => void dialog.accept());
      const removal = await capture(p, () => p.getByRole('button', { name: `Remove ${worker.name}` }).click());
      const roleChange = await capture(p, async () => {
        await p.getByLabel(`Role of ${worker.name}`, { exact: true }).selectOption('viewer');
        await p.getByRole('button', { name: `Save role of ${worker.name}` }).click();
      });
      expect(await roleOf(worker.id)).toBe('member');

      const removeOwner = await replay(p, removal, [[worker.id, owner.id]]);
      expect(removeOwner).toContain('Only an owner can change an owner’s role, make someone owner or remove an owner.');
      expect(removeOwner).not.toMatch(/TA002|SQL|remove_member/);
      const makeOwner = await replay(p, roleChange, [['\r\n\r\nviewer\r\n', '\r\n\r\nowner\r\n']]);
      expect(makeOwner).toContain('Only an owner can change an owner’s role, make someone owner or remove an owner.');
      expect([await roleOf(owner.id), await roleOf(worker.id)]).toEqual(['owner', 'member']);

      // Control: the very posts the page made do what they say.
      expect(await replay(p, roleChange)).toContain('Role updated.');
      expect(await roleOf(worker.id)).toBe('viewer');
      await replay(p, removal);
      expect(await roleOf(worker.id)).toBeNull();
    });

    await test.step('the removed member is signed out at once', async () => {
      await removed.page.reload();
      await expect(removed.page).toHaveURL(/\/sign-in/);
    });
  } finally {
    await removed.context.close();
    await adminPage.context.close();
  }

  await test.step('an owner gives any role, makes an owner, removes an owner, and leaves', async () => {
    await signIn(page, owner.email);
    await page.goto(PATH);
    await expect(page.getByTestId('role-hint')).toHaveCount(0);
    expect(await options(page, admin.name)).toEqual(['Owner', 'Admin', 'Member', 'Viewer']);
    expect(await options(page, 'Gina Admin')).toEqual(['Owner', 'Admin', 'Member', 'Viewer']);
    await screenshot(page, testInfo, 'members-owner');

    await page.getByLabel(`Role of ${admin.name}`, { exact: true }).selectOption('owner');
    await page.getByRole('button', { name: `Save role of ${admin.name}` }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Role updated.' })).toBeVisible();
    expect(await roleOf(admin.id)).toBe('owner');

    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Remove ${admin.name}` }).click();
    await expect(page.getByRole('table', { name: 'Members' })).not.toContainText(admin.name);
    expect(await roleOf(admin.id)).toBeNull();

    await page.getByRole('button', { name: 'Leave workspace' }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    expect(await roleOf(owner.id)).toBeNull();
  });

  await test.step('the last owner can neither demote themselves nor leave: the database says why', async () => {
    const gina = (await adminQuery<{ id: string }>("SELECT id FROM public.users WHERE email = 'gina@globex.test'"))[0]!.id;
    const last = await userContext(browser, baseURL, 'gina@globex.test');
    try {
      const p = last.page;
      await p.goto(PATH);
      await p.getByLabel('Role of Gina Admin', { exact: true }).selectOption('member');
      await p.getByRole('button', { name: 'Save role of Gina Admin' }).click();
      await expect(p.getByRole('alert').filter({ hasText: 'A workspace needs at least one owner: make someone else owner first.' })).toBeVisible();
      p.on('dialog', (dialog) => void dialog.accept());
      await p.getByRole('button', { name: 'Leave workspace' }).click();
      await expect(p.getByRole('alert').filter({ hasText: 'A workspace needs at least one owner' })).toHaveCount(2);
      await screenshot(p, testInfo, 'members-last-owner');
      await p.reload();
      await expect(p).toHaveURL(new RegExp(`${PATH}$`));
    } finally {
      await last.context.close();
    }
    expect(await roleOf(gina)).toBe('owner');
  });
});
