import { expect, test } from '@playwright/test';

import { addTask, createProject, org, orgApi, screenshot, signIn, skipWithoutChromium, uniqueName, userContext } from './support';

skipWithoutChromium(test);

// Tenant A = Acme (alice is its admin), tenant B = Globex (gina is its admin); both rls, the shared tables.
test('tenant A creates a project and a task; tenant B cannot list it, and its URL answers 404', async ({ page, browser, baseURL }, testInfo) => {
  const name = uniqueName('Launch plan', testInfo);
  const task = 'Book the venue';
  let projectPath = '';

  await test.step('admin of tenant A creates a project, a task, a comment', async () => {
    await signIn(page, 'alice@acme.test');
    await expect(page.getByTestId('tenant-switcher')).toContainText('Acme Corp');
    await expect(page.getByTestId('tenant-switcher')).toContainText('Admin');
    await screenshot(page, testInfo, 'projects-admin');

    projectPath = await createProject(page, name);
    await addTask(page, task, { assignee: 'Bob Member', due: '2030-05-17' });
    const row = page.getByRole('row', { name: new RegExp(task) });
    await expect(row.getByLabel(`Assignee of ${task}`)).toHaveValue(/[0-9a-f-]{36}/);
    await row.getByLabel(`Status of ${task}`).selectOption('doing');
    await expect(page.getByLabel(`Status of ${task}`)).toHaveValue('doing');
    await page.reload();
    await expect(page.getByLabel(`Status of ${task}`)).toHaveValue('doing');
    await expect(page.getByRole('row', { name: new RegExp(task) })).toContainText('17 May 2030');
    await screenshot(page, testInfo, 'project');

    await page.getByRole('link', { name: task }).click();
    await expect(page.getByRole('heading', { level: 1, name: task })).toBeVisible();
    await page.getByLabel('Your comment').fill('Venue shortlist is in the shared folder.');
    await page.getByRole('button', { name: 'Comment' }).click();
    await expect(page.getByRole('list', { name: 'Comments' })).toContainText('Venue shortlist is in the shared folder.');
    await screenshot(page, testInfo, 'task');

    await page.goto(org('acme', '/projects'));
    await expect(page.getByRole('table', { name: 'Projects' }).getByRole('link', { name })).toBeVisible();
  });

  await test.step('admin of tenant B does not see it; its URL, and its id under B, answer 404 without its data', async () => {
    const { context, page: other } = await userContext(browser, baseURL, 'gina@globex.test');
    try {
      await expect(other.getByTestId('tenant-switcher')).toContainText('Globex');
      await expect(other.getByRole('table', { name: 'Projects' })).toBeVisible();
      await expect(other.getByText(name)).toHaveCount(0);
      await expect(other.getByRole('link', { name: 'Billing migration' })).toBeVisible();

      // A's address: A is not B's organisation, the same 404 as an organisation that does not exist.
      const response = await other.goto(projectPath);
      expect(response?.status()).toBe(404);
      const html = (await response?.text()) ?? '';
      expect(html).not.toContain(name);
      expect(html).not.toContain(task);
      expect(html).not.toContain('Acme');
      await expect(other.getByRole('heading', { name: 'Page not found' })).toBeVisible();
      await screenshot(other, testInfo, 'project-other-organisation-404');

      // A's project id under B's own address: the policies find no row, the same 404 as an id that never existed.
      const underB = await other.goto(projectPath.replace('/o/acme/', '/o/globex/'));
      expect(underB?.status()).toBe(404);
      const underBHtml = (await underB?.text()) ?? '';
      expect(underBHtml).not.toContain(name);
      expect(underBHtml).not.toContain(task);
      await expect(other.getByRole('heading', { name: 'Project not found' })).toBeVisible();
      await screenshot(other, testInfo, 'project-other-tenant-404');

      const api = await other.request.get(orgApi('globex', '/projects'));
      expect(api.status()).toBe(200);
      const { projects } = (await api.json()) as { projects: { name: string }[] };
      expect(projects.length).toBeGreaterThan(0);
      expect(projects.map((p) => p.name)).not.toContain(name);
    } finally {
      await context.close();
    }
  });

  await test.step('signed out, the same URL redirects to sign-in', async () => {
    const context = await browser.newContext({ baseURL });
    try {
      const anonymous = await context.newPage();
      await anonymous.goto(projectPath);
      await expect(anonymous).toHaveURL(/\/sign-in\?callbackUrl=/);
    } finally {
      await context.close();
    }
  });
});

test('an unknown project id and a malformed one answer 404 too', async ({ page }) => {
  await signIn(page, 'alice@acme.test');
  for (const path of [
    org('acme', '/projects/00000000-0000-4000-8000-000000000000'),
    org('acme', '/projects/not-a-uuid'),
    org('acme', '/projects/00000000-0000-4000-8000-000000000000/tasks/00000000-0000-4000-8000-000000000000'),
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
  }
});
