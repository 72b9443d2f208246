import { expect, test, type Page } from '@playwright/test';

import { adminQuery, org, screenshot, signIn, skipWithoutChromium } from './support';

skipWithoutChromium(test);

// Issue #15, item 7: at 390 px (a phone) the sidebar stacked 325 px above the content and could not be collapsed,
// tables overflowed the page and the members page's Save buttons were off screen.

const PHONE = { width: 390, height: 844 };

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${what}: document width at ${PHONE.width} px`).toBeLessThanOrEqual(PHONE.width);
}

test.describe('at 390 px wide', () => {
  test.use({ viewport: PHONE });

  test('no page scrolls sideways, and the members page keeps its Save buttons on screen', async ({ page }, testInfo) => {
    await page.goto('/sign-in');
    await expectNoSidewaysScroll(page, '/sign-in');
    await signIn(page, 'alice@acme.test');
    const [task] = await adminQuery<{ project: string; task: string }>(
      `SELECT p.id AS project, t.id AS task FROM public.projects p JOIN public.tasks t ON t.project_id = p.id AND t.tenant_id = p.tenant_id
        WHERE p.name = 'Website relaunch' ORDER BY t.created_at LIMIT 1`,
    );
    const pages = [
      org('acme', '/projects'),
      org('acme', `/projects/${task!.project}`),
      org('acme', `/projects/${task!.project}/tasks/${task!.task}`),
      org('acme', '/members'),
      org('acme', '/projects/00000000-0000-4000-8000-000000000000'),
      org('no-such-organisation', '/projects'),
      '/no-such-page',
    ];
    for (const path of pages) {
      await page.goto(path);
      await expect(page.getByRole('main')).toBeVisible();
      await expectNoSidewaysScroll(page, path);
      const name = path
        .replace(/^\/o\/acme\//, '/')
        .replaceAll('/', '-')
        .slice(0, 40);
      await screenshot(page, testInfo, `phone${name}`);
    }

    await page.goto(org('acme', '/members'));
    const saves = page.getByRole('button', { name: /^Save role of / });
    // count() reads what is there without waiting: wait for the streamed list first (CI once counted before it came).
    await expect(saves.first()).toBeVisible();
    expect(await saves.count()).toBeGreaterThan(0);
    for (const save of await saves.all()) {
      await save.scrollIntoViewIfNeeded();
      const box = (await save.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    }
  });

  test('the navigation is collapsed behind a Menu button, and the content starts at the top', async ({ page }, testInfo) => {
    await signIn(page, 'alice@acme.test');
    const menu = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(menu).toBeVisible();
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await expect(nav).toBeHidden();
    const heading = (await page.getByRole('heading', { level: 1, name: 'Projects' }).boundingBox())!;
    expect(heading.y).toBeLessThan(140);
    await screenshot(page, testInfo, 'phone-nav-closed');

    await menu.click();
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    await expect(nav).toBeVisible();
    await expect(page.getByTestId('tenant-switcher')).toBeVisible();
    await screenshot(page, testInfo, 'phone-nav-open');
    await nav.getByRole('link', { name: 'Members' }).click();
    await expect(page).toHaveURL(/\/o\/acme\/members$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Members' })).toBeVisible();
    // Following a link closes the menu again.
    await expect(nav).toBeHidden();
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
  });
});

test('on a wide screen the sidebar is always there and there is no Menu button', async ({ page }) => {
  await signIn(page, 'alice@acme.test');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByTestId('tenant-switcher')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
});
