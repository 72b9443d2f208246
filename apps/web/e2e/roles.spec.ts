import { expect, test, type Page, type Request } from '@playwright/test';

import { adminQuery, createProject, org, screenshot, signIn, skipWithoutChromium, uniqueName, userContext } from './support';

skipWithoutChromium(test);

interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Submits the "Create a project" form but stops the request in the browser, keeping it to replay. */
async function captureCreateProject(page: Page, name: string): Promise<CapturedAction> {
  let captured: CapturedAction | undefined;
  await page.route('**/*', async (route) => {
    const request: Request = route.request();
    const headers = await request.allHeaders();
    if (request.method() !== 'POST' || !headers['next-action']) return route.fallback();
    captured = { url: request.url(), headers, body: request.postDataBuffer() ?? Buffer.alloc(0) };
    await route.abort();
  });
  await page.goto(org('acme', '/projects'));
  await page.getByRole('button', { name: /New project/ }).click();
  await page.getByRole('form', { name: 'Create a project' }).getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect.poll(() => captured !== undefined).toBe(true);
  await page.unroute('**/*');
  return captured!;
}

const replayHeaders = (captured: CapturedAction) => {
  const keep = ['next-action', 'next-router-state-tree', 'content-type', 'accept', 'origin'];
  return Object.fromEntries(Object.entries(captured.headers).filter(([key]) => keep.includes(key)));
};

const projectCount = async (name: string) =>
  Number((await adminQuery<{ n: string }>('SELECT count(*) AS n FROM public.projects WHERE name = $1', [name]))[0]!.n);

test("a viewer sees no create controls, and a viewer's forged server-action POST is refused by PostgreSQL", async ({ page, browser, baseURL }, testInfo) => {
  await test.step('the viewer sees the data but no create button, with a hint instead', async () => {
    await signIn(page, 'carol@acme.test');
    await expect(page.getByTestId('tenant-switcher')).toContainText('Viewer');
    await expect(page.getByRole('link', { name: 'Website relaunch' })).toBeVisible();
    await expect(page.getByRole('button', { name: /New project/ })).toHaveCount(0);
    await expect(page.getByTestId('role-hint')).toContainText('Viewers can read projects but not create them');
    await screenshot(page, testInfo, 'projects-viewer');

    await page.getByRole('link', { name: 'Website relaunch' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Website relaunch' })).toBeVisible();
    await expect(page.getByRole('form', { name: 'Add a task' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0);
    await expect(page.getByRole('table', { name: 'Tasks' }).getByRole('combobox')).toHaveCount(0);
    await screenshot(page, testInfo, 'project-viewer');
  });

  const name = uniqueName('Forged', testInfo);
  const member = await userContext(browser, baseURL, 'bob@acme.test');
  try {
    const captured = await test.step('a member submits the create form; the request is captured, not sent', async () => {
      const action = await captureCreateProject(member.page, name);
      expect(action.headers['next-action']).toMatch(/^[0-9a-f]{40,}$/);
      expect(await projectCount(name)).toBe(0);
      return action;
    });

    await test.step("the same POST with the viewer's session is refused by the database; nothing is written", async () => {
      const response = await page.request.post(captured.url, { headers: replayHeaders(captured), data: captured.body });
      expect(response.status()).toBe(200);
      const text = await response.text();
      // The action's answer: the insert policy refused it (SQLSTATE 42501), mapped to a message; no SQL in it.
      expect(text).toContain('"kind":"forbidden"');
      expect(text).toContain('Your role in this workspace does not allow that.');
      expect(text).not.toMatch(/row-level|policy|INSERT|SQL/i);
      expect(await projectCount(name)).toBe(0);
    });

    await test.step("control: the very same POST with the member's session creates the project", async () => {
      const response = await member.page.request.post(captured.url, { headers: replayHeaders(captured), data: captured.body });
      expect(response.status()).toBeLessThan(400);
      await expect.poll(() => projectCount(name)).toBe(1);
    });
  } finally {
    await member.context.close();
  }
});

test('a member changes only their own rows; the UI offers controls accordingly', async ({ page }, testInfo) => {
  await signIn(page, 'bob@acme.test');
  const own = uniqueName('Bob’s own', testInfo);
  await createProject(page, own);
  await expect(page.getByRole('button', { name: 'Edit' })).toBeVisible();
  await page.getByRole('button', { name: 'Edit' }).click();
  const form = page.getByRole('form', { name: 'Edit project' });
  await form.getByLabel('Name').fill('');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(form.getByText('Give the project a name')).toBeVisible();
  await screenshot(page, testInfo, 'project-edit-validation');
  await form.getByLabel('Name').fill(`${own} (renamed)`);
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${own} (renamed)` })).toBeVisible();

  // A seeded project created by Alice: Bob may add tasks, not edit or delete it.
  await page.goto(org('acme', '/projects'));
  await page.getByRole('link', { name: 'Website relaunch' }).click();
  await expect(page.getByRole('form', { name: 'Add a task' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);

  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(org('acme', '/projects'));
  await page.getByRole('link', { name: `${own} (renamed)` }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/o\/acme\/projects$/);
  await expect(page.getByRole('link', { name: `${own} (renamed)` })).toHaveCount(0);
});

test('members: read-only for non-admins; an admin changes roles and cannot demote the last admin', async ({ page, browser, baseURL }, testInfo) => {
  // Globex: no other spec depends on its roles.
  const viewer = await userContext(browser, baseURL, 'ivy@globex.test');
  try {
    await viewer.page.goto(org('globex', '/members'));
    await expect(viewer.page.getByRole('table', { name: 'Members' })).toContainText('Hank Member');
    await expect(viewer.page.getByRole('combobox')).toHaveCount(0);
    await expect(viewer.page.getByTestId('role-hint')).toContainText('Only admins can change roles');
    await screenshot(viewer.page, testInfo, 'members-viewer');
  } finally {
    await viewer.context.close();
  }

  await signIn(page, 'gina@globex.test');
  await page.goto(org('globex', '/members'));
  await screenshot(page, testInfo, 'members-admin');
  await page.getByLabel('Role of Hank Member', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Save role of Hank Member' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Role updated.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Role of Hank Member', { exact: true })).toHaveValue('viewer');

  // Hank, now a viewer, gets no create button.
  const hank = await userContext(browser, baseURL, 'hank@globex.test');
  try {
    await expect(hank.page.getByRole('button', { name: /New project/ })).toHaveCount(0);
  } finally {
    await hank.context.close();
  }

  await page.getByLabel('Role of Hank Member', { exact: true }).selectOption('member');
  await page.getByRole('button', { name: 'Save role of Hank Member' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Role updated.' })).toBeVisible();

  await page.getByLabel('Role of Gina Admin', { exact: true }).selectOption('member');
  await page.getByRole('button', { name: 'Save role of Gina Admin' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'A workspace needs at least one admin' })).toBeVisible();
  await screenshot(page, testInfo, 'members-last-admin');
  const [row] = await adminQuery<{ role: string }>(
    "SELECT m.role FROM public.memberships m JOIN public.users u ON u.id = m.user_id WHERE u.email = 'gina@globex.test'",
  );
  expect(row?.role).toBe('admin');
});
