import { expect, test } from '@playwright/test';

import { hydrated, screenshot, signIn, sql } from './support';

// A tenant whose placement is gone, first in catalog order: the canary's first tenant fails, and the run stops.
const GHOST = { id: '00000000-0000-4000-8000-00000000c0de', slug: 'e2e_canary_ghost' };

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('a canary run stops at the failing first tenant, names it with the reason, and lists the tenants it did not touch', async ({ page }, testInfo) => {
  await sql(
    `INSERT INTO tenancy.tenants (id, slug, name, strategy, status, schema_name, database_name, role_name, schema_version, created_at)
     VALUES ($1, $2, 'Canary ghost', 'database', 'active', 'public', 't_e2e_canary_ghost', 't_e2e_canary_ghost', NULL, '2000-01-01')`,
    [GHOST.id, GHOST.slug],
  );
  try {
    await page.goto('/migrate');
    await hydrated(page);
    await page.getByLabel('Canary tenants').selectOption('1');
    await page.getByRole('button', { name: 'Run migrations' }).click();
    const summary = page.getByTestId('migrate-summary');
    await expect(summary).toContainText('1 failed', { timeout: 60_000 });
    await expect(summary).toContainText(GHOST.slug);
    await expect(summary).toContainText('does not exist');
    const stop = page.getByTestId('migrate-canary-stop');
    await expect(stop).toContainText('Stopped after the canary (1 first)');
    // The seeded database tenant is never confirmed without its transaction, so it was pending behind the ghost.
    await expect(stop).toContainText('umbrella');
    await screenshot(page, testInfo, 'migrate-canary');
  } finally {
    await sql('DELETE FROM tenancy.tenants WHERE id = $1', [GHOST.id]);
  }
});
