import { expect, test } from '@playwright/test';

import { addTask, createProject, screenshot, signIn, skipWithoutChromium, uniqueName, userContext } from './support';

skipWithoutChromium(test);

/**
 * The same flow against a seeded tenant of each strategy. The app has one code path; where the rows live
 * (shared tables, a schema, a database of its own) is the tenancy library's business. The "pgbouncer" project
 * runs this file again with DATABASE_URL pointing at PgBouncer in transaction mode.
 */
const STRATEGIES = [
  {
    strategy: 'rls',
    slug: 'acme',
    tenant: 'Acme Corp',
    admin: 'alice@acme.test',
    viewer: 'carol@acme.test',
    outsider: 'gina@globex.test',
    seeded: 'Website relaunch',
    member: 'Bob Member',
  },
  {
    strategy: 'schema',
    slug: 'hooli',
    tenant: 'Hooli',
    admin: 'richard@hooli.test',
    viewer: 'gilfoyle@hooli.test',
    outsider: 'alice@acme.test',
    seeded: 'Nucleus compression',
    member: 'Dinesh Member',
  },
  {
    strategy: 'database',
    slug: 'umbrella',
    tenant: 'Umbrella Corp',
    admin: 'albert@umbrella.test',
    viewer: 'chris@umbrella.test',
    outsider: 'richard@hooli.test',
    seeded: 'Lab inventory',
    member: 'Jill Member',
  },
] as const;

for (const s of STRATEGIES) {
  test(`${s.strategy} tenant (${s.tenant}): create, change, comment; a viewer cannot create; another tenant gets 404`, async ({
    page,
    browser,
    baseURL,
  }, testInfo) => {
    const name = uniqueName(`${s.strategy} project`, testInfo);
    const task = `Task for ${s.strategy}`;

    await signIn(page, s.admin);
    await expect(page.getByTestId('tenant-switcher')).toContainText(s.tenant);
    await expect(page.getByRole('link', { name: s.seeded })).toBeVisible();
    const path = await createProject(page, name, undefined, s.slug);
    await addTask(page, task, { assignee: s.member, due: '2031-01-31' });
    await page.getByLabel(`Status of ${task}`).selectOption('done');
    await expect(page.getByLabel(`Status of ${task}`)).toHaveValue('done');
    await page.getByRole('link', { name: task }).click();
    await page.getByLabel('Your comment').fill(`Checked on the ${s.strategy} placement.`);
    await page.getByRole('button', { name: 'Comment' }).click();
    await expect(page.getByRole('list', { name: 'Comments' })).toContainText(`Checked on the ${s.strategy} placement.`);
    await page.goto(path);
    await expect(page.getByRole('row', { name: new RegExp(task) })).toContainText('1');
    await screenshot(page, testInfo, `${s.strategy}-project`);

    const viewer = await userContext(browser, baseURL, s.viewer);
    try {
      await expect(viewer.page.getByRole('link', { name })).toBeVisible();
      await expect(viewer.page.getByRole('button', { name: /New project/ })).toHaveCount(0);
      await viewer.page.goto(path);
      await expect(viewer.page.getByRole('heading', { level: 1, name })).toBeVisible();
      await expect(viewer.page.getByRole('form', { name: 'Add a task' })).toHaveCount(0);
    } finally {
      await viewer.context.close();
    }

    const outsider = await userContext(browser, baseURL, s.outsider);
    try {
      await expect(outsider.page.getByText(name)).toHaveCount(0);
      const response = await outsider.page.goto(path);
      expect(response?.status()).toBe(404);
      expect(await response?.text()).not.toContain(name);
    } finally {
      await outsider.context.close();
    }
  });
}
