import { expect, test } from '@playwright/test';

import { screenshot, signIn, skipWithoutChromium, tenantId } from './support';

skipWithoutChromium(test);

test('a user of two tenants switches from the menu and sees the other tenant’s data', async ({ page }, testInfo) => {
  await signIn(page, 'alice@acme.test');
  const switcher = page.getByTestId('tenant-switcher');
  await expect(switcher).toContainText('Acme Corp');
  await expect(page.getByRole('link', { name: 'Website relaunch' })).toBeVisible();

  await switcher.click();
  const menu = page.getByRole('menu', { name: 'Workspaces' });
  await expect(menu.getByRole('menuitemradio')).toHaveCount(2);
  await screenshot(page, testInfo, 'tenant-switcher-open');
  await menu.getByRole('menuitemradio', { name: /Initech/ }).click();

  await expect(switcher).toContainText('Initech');
  await expect(switcher).toContainText('Member');
  await expect(page.getByRole('link', { name: 'TPS reports' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Website relaunch' })).toHaveCount(0);
  await screenshot(page, testInfo, 'projects-after-switch');

  // The switch lives in the session cookie: it survives a reload, and the API answers for Initech too.
  await page.reload();
  await expect(switcher).toContainText('Initech');
  const { projects } = (await (await page.request.get('/api/projects')).json()) as { projects: { name: string }[] };
  expect(projects.map((p) => p.name)).toContain('TPS reports');
  expect(projects.map((p) => p.name)).not.toContain('Website relaunch');

  await switcher.click();
  await page.getByRole('menu', { name: 'Workspaces' }).getByRole('menuitemradio', { name: /Acme/ }).click();
  await expect(switcher).toContainText('Acme Corp');
  await expect(page.getByRole('link', { name: 'Website relaunch' })).toBeVisible();
});

test('a forged switch to a tenant the user does not belong to changes nothing', async ({ page }) => {
  await signIn(page, 'alice@acme.test');
  const globex = await tenantId('globex');
  // What useSession().update() sends, with another tenant's id: the server re-checks the membership.
  const { csrfToken } = (await (await page.request.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const response = await page.request.post('/api/auth/session', { data: { csrfToken, data: { tenantId: globex } } });
  expect(response.status()).toBe(200);
  const session = (await response.json()) as { claims?: { tenantId?: string } };
  expect(session.claims?.tenantId).not.toBe(globex);

  await page.reload();
  await expect(page.getByTestId('tenant-switcher')).toContainText('Acme Corp');
  const { projects } = (await (await page.request.get('/api/projects')).json()) as { projects: { name: string }[] };
  expect(projects.map((p) => p.name)).toContain('Website relaunch');
  expect(projects.map((p) => p.name)).not.toContain('Billing migration');
});
