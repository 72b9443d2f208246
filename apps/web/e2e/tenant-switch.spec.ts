import { expect, test, type Page } from '@playwright/test';

import { adminQuery, org, orgApi, screenshot, signIn, skipWithoutChromium, uniqueName } from './support';

skipWithoutChromium(test);

// The organisation is the address's (/o/<slug>/...), not the session's: the menu's entries are plain links, and one
// signed-in user can keep two organisations open in two tabs and act in each.

const apiNames = async (page: Page, slug: string) =>
  ((await (await page.request.get(orgApi(slug, '/projects'))).json()) as { projects: { name: string }[] }).projects.map((p) => p.name);

const tenantOf = async (project: string) =>
  (await adminQuery<{ slug: string }>('SELECT t.slug FROM public.projects p JOIN tenancy.tenants t ON t.id = p.tenant_id WHERE p.name = $1', [project])).map(
    (row) => row.slug,
  );

test('the workspace menu links to the other organisation’s address, which shows its data', async ({ page }, testInfo) => {
  await signIn(page, 'alice@acme.test');
  await expect(page).toHaveURL(/\/o\/acme\/projects$/);
  const switcher = page.getByTestId('tenant-switcher');
  await expect(switcher).toContainText('Acme Corp');
  await expect(page.getByRole('link', { name: 'Website relaunch' })).toBeVisible();

  await switcher.click();
  const menu = page.getByRole('menu', { name: 'Workspaces' });
  await expect(menu.getByRole('menuitemradio')).toHaveCount(2);
  await expect(menu.getByRole('menuitemradio', { name: /Initech/ })).toHaveAttribute('href', '/o/initech/projects');
  await screenshot(page, testInfo, 'tenant-switcher-open');
  await menu.getByRole('menuitemradio', { name: /Initech/ }).click();

  await expect(page).toHaveURL(/\/o\/initech\/projects$/);
  await expect(switcher).toContainText('Initech');
  await expect(switcher).toContainText('Member');
  await expect(page.getByRole('link', { name: 'TPS reports' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Website relaunch' })).toHaveCount(0);
  await screenshot(page, testInfo, 'projects-after-switch');

  // Nothing was switched in the session: each address answers for its own organisation, the API too.
  await page.goBack();
  await expect(switcher).toContainText('Acme Corp');
  expect(await apiNames(page, 'initech')).toContain('TPS reports');
  expect(await apiNames(page, 'initech')).not.toContain('Website relaunch');
  expect(await apiNames(page, 'acme')).toContain('Website relaunch');
  expect(await apiNames(page, 'acme')).not.toContain('TPS reports');
});

test('two tabs on two organisations: each tab’s forms act in its own organisation', async ({ page }, testInfo) => {
  await signIn(page, 'alice@acme.test');
  const acmeTab = page;
  // The second tab opens after the first: whatever was opened last must not decide where the first one writes.
  const initechTab = await page.context().newPage();
  await initechTab.goto(org('initech', '/projects'));
  await expect(initechTab.getByTestId('tenant-switcher')).toContainText('Initech');

  const create = async (tab: Page, name: string) => {
    await tab.getByRole('button', { name: /New project/ }).click();
    const form = tab.getByRole('form', { name: 'Create a project' });
    await form.getByLabel('Name').fill(name);
    await form.getByRole('button', { name: 'Create project' }).click();
    await expect(tab.getByRole('heading', { level: 1, name })).toBeVisible();
  };

  const inAcme = uniqueName('Acme tab', testInfo);
  const inInitech = uniqueName('Initech tab', testInfo);
  await create(acmeTab, inAcme);
  await expect(acmeTab).toHaveURL(/\/o\/acme\/projects\/[0-9a-f-]{36}$/);
  await create(initechTab, inInitech);
  await expect(initechTab).toHaveURL(/\/o\/initech\/projects\/[0-9a-f-]{36}$/);

  expect(await tenantOf(inAcme)).toEqual(['acme']);
  expect(await tenantOf(inInitech)).toEqual(['initech']);
  await acmeTab.goto(org('acme', '/projects'));
  await expect(acmeTab.getByRole('link', { name: inAcme })).toBeVisible();
  await expect(acmeTab.getByRole('link', { name: inInitech })).toHaveCount(0);
});
