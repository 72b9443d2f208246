import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test } from '@playwright/test';

import { OPERATOR, hydrated, signIn, sql } from './support';

skipWithoutChromium(test);

// Issue #15, item 7: a form whose request failed on the network was replaced by the error page, and what the operator
// typed was gone.

test('a delete whose request is lost keeps the form, says so, and deletes nothing', async ({ page }) => {
  await signIn(page);
  await page.goto('/tenants/acme/delete');
  await hydrated(page);
  await page.getByLabel('Type acme to confirm').fill('acme');
  await page.getByLabel(/Archive first/).uncheck();
  // Every server-action POST fails in the browser, as a dropped connection would: nothing reaches the server.
  await page.route('**/*', async (route) => {
    const request = route.request();
    if (request.method() === 'POST' && (await request.headerValue('next-action'))) return route.abort('internetdisconnected');
    return route.fallback();
  });
  await page.getByRole('button', { name: 'Delete this tenant' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /could not reach the server/i })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Delete tenant' })).toBeVisible();
  await expect(page.getByLabel('Type acme to confirm')).toHaveValue('acme');
  await expect(page.getByLabel(/Archive first/)).not.toBeChecked();
  expect(await sql(`SELECT 1 FROM tenancy.tenants WHERE slug = 'acme' AND status = 'active'`)).toHaveLength(1);
});

test('offline, the sign-in form says so and keeps the email', async ({ page, context }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email').fill(OPERATOR.email);
  await page.getByLabel('Password').fill(OPERATOR.password);
  await context.setOffline(true);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /could not reach the server/i })).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue(OPERATOR.email);
  await context.setOffline(false);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/tenants$/);
});
