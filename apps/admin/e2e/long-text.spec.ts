import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test, type Page } from '@playwright/test';

import { hydrated, screenshot, signIn, sql } from './support';

skipWithoutChromium(test);

// Issue #15, item 7, as in apps/web: one long unbroken word (a 200-character name) must wrap, not widen the page.

const documentWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

test('a tenant with a 200-character name: its pages stay as wide as the window', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const slug = 'e2e_long_name';
  const name = 'Long'.padEnd(200, 'x');
  await signIn(page);
  const viewport = page.viewportSize()!.width;
  await page.goto('/tenants/new');
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Slug').fill(slug);
  await page.getByLabel('Admin email').fill('admin@e2e-long-name.test');
  await page.getByLabel('Admin name').fill('Long'.padEnd(120, 'y'));
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByTestId('create-result')).toBeVisible({ timeout: 60_000 });
  const tooWide: string[] = [];
  const check = async (what: string) => {
    const width = await documentWidth(page);
    if (width > viewport) tooWide.push(`${what}: ${width} px`);
  };
  await check('create result');
  await page.goto('/tenants');
  await expect(page.locator(`tr[data-slug="${slug}"]`)).toBeVisible();
  await check('/tenants');
  await page.goto(`/tenants/${slug}/delete`);
  await hydrated(page);
  await check('delete page');
  await screenshot(page, testInfo, 'long-name-delete');

  // Leave nothing behind for the specs that follow.
  await page.getByLabel(/Archive first/).uncheck();
  await page.getByLabel(`Type ${slug} to confirm`).fill(slug);
  await page.getByRole('button', { name: 'Delete this tenant' }).click();
  await expect(page.getByTestId('delete-result')).toBeVisible({ timeout: 30_000 });
  await check('delete result');
  expect(await sql('SELECT 1 FROM tenancy.tenants WHERE slug = $1', [slug])).toHaveLength(0);
  expect(tooWide).toEqual([]);
});
