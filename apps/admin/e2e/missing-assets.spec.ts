import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test } from '@playwright/test';

import { signIn } from './support';

skipWithoutChromium(test);

// Issue #15, item 7: every page of both apps logged a 404 for /favicon.ico.

test('no page asks the server for something that is not there, the favicon included', async ({ page }) => {
  const missing: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 404) missing.push(`${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  await signIn(page);
  for (const path of ['/tenants', '/tenants/new', '/tenants/acme/delete', '/migrate', '/pools', '/audit']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
  }
  expect(missing).toEqual([]);
  const favicon = await page.request.get('/favicon.ico');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toMatch(/^image\//);
});
