import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test } from '@playwright/test';

import { screenshot, signIn } from './support';

skipWithoutChromium(test);

// Issue #15, item 7: one size chart put whole tenant databases and one tenant's row bytes on one axis without saying so.

test('sizes measured differently are charted apart, each saying what it measures', async ({ page }, testInfo) => {
  await signIn(page);
  const tenants = await page
    .locator('tbody tr[data-slug]')
    .evaluateAll((rows) => rows.map((row) => ({ slug: row.getAttribute('data-slug')!, strategy: row.querySelector('.pill')!.textContent!.trim() })));
  const charts = [
    { strategy: 'database', name: /whole database/ },
    { strategy: 'schema', name: /schema on disk/ },
    { strategy: 'rls', name: /row data in the shared tables/ },
  ];
  for (const chart of charts) {
    const figure = page.locator('figure').filter({ has: page.getByRole('img', { name: chart.name }) });
    await expect(figure, chart.strategy).toHaveCount(1);
    const labels = await figure.locator('svg .chart-label').allTextContents();
    const expected = tenants.filter((t) => t.strategy === chart.strategy).map((t) => t.slug);
    expect(labels.length, chart.strategy).toBeGreaterThan(0);
    // Every bar of the chart is a tenant of that strategy (labels may be cut short with an ellipsis).
    for (const label of labels)
      expect(
        expected.some((slug) => slug.startsWith(label.replace(/…$/, ''))),
        `${chart.strategy}: ${label}`,
      ).toBe(true);
  }
  await screenshot(page, testInfo, 'tenants-size-charts');
});
