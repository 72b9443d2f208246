import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test } from '@playwright/test';

import { screenshot, signIn } from './support';

skipWithoutChromium(test);

// Issue #15, item 7: the delete page of a slug that does not exist was Next's bare, unstyled 404.

test('the delete page of a tenant that does not exist is a 404 inside the console, with the way back', async ({ page }, testInfo) => {
  await signIn(page);
  for (const slug of ['no_such_tenant', 'Not-A-Slug']) {
    const response = await page.goto(`/tenants/${slug}/delete`);
    expect(response?.status(), slug).toBe(404);
    await expect(page.getByRole('heading', { level: 1, name: 'Tenant not found' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Delete this tenant' })).toHaveCount(0);
  }
  await screenshot(page, testInfo, 'delete-unknown-tenant');
  await page.getByRole('link', { name: 'Back to tenants' }).click();
  await expect(page).toHaveURL(/\/tenants$/);

  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to tenants' })).toBeVisible();
});
