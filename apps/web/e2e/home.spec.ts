import { e2eSkipReason } from '@repo/localdb/chromium';
import { expect, test } from '@playwright/test';
import path from 'node:path';

// At file level, so a missing Chromium skips before the `page` fixture tries to launch it.
const skipReason = e2eSkipReason();
test.skip(skipReason !== undefined, skipReason);

test('home page renders its heading', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tenancy Starter');
  await expect(page.getByText('Sign in to your workspace')).toBeVisible();

  await page.screenshot({
    path: path.join(testInfo.project.outputDir, 'screenshots', 'web-home.png'),
    fullPage: true,
  });
});
