import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test } from '@playwright/test';

import { screenshot, signIn } from './support';

skipWithoutChromium(test);

// Issue #15, item 7, as in apps/web: at 390 px (a phone) no page may scroll sideways, and the navigation folds away
// behind a Menu button the same way.

const PHONE = { width: 390, height: 844 };
const PAGES = ['/tenants', '/tenants/new', '/tenants/restore', '/tenants/acme', '/tenants/acme/delete', '/migrate', '/pools', '/audit'];

test.describe('at 390 px wide', () => {
  test.use({ viewport: PHONE });

  test('no console page scrolls sideways', async ({ page }, testInfo) => {
    const documentWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    await page.goto('/sign-in');
    const tooWide: string[] = [];
    if ((await documentWidth()) > PHONE.width) tooWide.push(`/sign-in: ${await documentWidth()} px`);
    await signIn(page);
    for (const path of PAGES) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await screenshot(page, testInfo, `phone${path.replaceAll('/', '-')}`);
      const width = await documentWidth();
      if (width > PHONE.width) tooWide.push(`${path}: ${width} px`);
    }
    expect(tooWide).toEqual([]);
  });

  test('the navigation is folded behind a Menu button', async ({ page }, testInfo) => {
    await signIn(page);
    const menu = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(menu).toBeVisible();
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await expect(nav).toBeHidden();
    await menu.click();
    await expect(nav).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await screenshot(page, testInfo, 'phone-nav-open');
    await nav.getByRole('link', { name: 'Pools' }).click();
    await expect(page).toHaveURL(/\/pools$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Pools' })).toBeVisible();
    await expect(nav).toBeHidden();
  });
});

test('on a wide screen the navigation is always there and there is no Menu button', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
});
