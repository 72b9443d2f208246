import { expect, test } from '@playwright/test';

import { adminQuery, org, screenshot, signIn, skipWithoutChromium } from './support';

skipWithoutChromium(test);

// Issue #15, item 7: a link to a project of another of the user's workspaces said "Project not found". It now links to
// the item under that workspace's address; for a workspace the user does not belong to, it stays the plain 404.

async function initechTask(): Promise<{ project: string; task: string; title: string }> {
  const [row] = await adminQuery<{ project: string; task: string; title: string }>(
    `SELECT p.id AS project, t.id AS task, t.title FROM public.projects p
       JOIN tenancy.tenants tn ON tn.id = p.tenant_id
       JOIN public.tasks t ON t.project_id = p.id AND t.tenant_id = p.tenant_id
      WHERE tn.slug = 'initech' AND p.name = 'TPS reports' ORDER BY t.created_at, t.id LIMIT 1`,
  );
  return row!;
}

test('a link to a project or task of another of my workspaces says where it is and opens it there', async ({ page }, testInfo) => {
  const { project, task, title } = await initechTask();
  // Alice is an admin of Acme and a member of Initech.
  await signIn(page, 'alice@acme.test');
  const switcher = page.getByTestId('tenant-switcher');

  await page.goto(org('acme', `/projects/${project}`));
  await expect(page.getByRole('heading', { name: 'This project is in Initech' })).toBeVisible();
  await expect(page.getByText('TPS reports')).toHaveCount(0);
  await screenshot(page, testInfo, 'other-workspace-offer');
  await page.getByRole('link', { name: 'Open in Initech' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'TPS reports' })).toBeVisible();
  await expect(switcher).toContainText('Initech');
  await expect(page).toHaveURL(new RegExp(`/o/initech/projects/${project}$`));

  // A task link works the same way.
  await page.goto(org('acme', `/projects/${project}/tasks/${task}`));
  await expect(switcher).toContainText('Acme Corp');
  await expect(page.getByRole('heading', { name: 'This task is in Initech' })).toBeVisible();
  await page.getByRole('link', { name: 'Open in Initech' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/initech/projects/${project}/tasks/${task}$`));
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(switcher).toContainText('Initech');
});

test('for a workspace the user does not belong to it stays a 404 that names nothing', async ({ page }) => {
  const { project, task } = await initechTask();
  await signIn(page, 'gina@globex.test');
  for (const path of [org('globex', `/projects/${project}`), org('globex', `/projects/${project}/tasks/${task}`)]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    const html = (await response?.text()) ?? '';
    expect(html, path).not.toContain('Initech');
    expect(html, path).not.toContain('TPS reports');
    await expect(page.getByRole('link', { name: /Open in/ })).toHaveCount(0);
  }
});
