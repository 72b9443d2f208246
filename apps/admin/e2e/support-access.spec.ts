import { expect, test, type Browser, type Page } from '@playwright/test';

import { hydrated, screenshot, signIn, sql, webUrl } from './support';

// Support access from end to end, in both apps: the operator asks here, an admin of the organisation approves in the
// web app, the operator sees the organisation's data under a banner, read-only, each page in the organisation's
// activity log; a revocation and an expiry end it. Hooli is a schema tenant: its grants and log live in its schema.
test.describe.configure({ mode: 'serial' });

const TENANT = { slug: 'hooli', name: 'Hooli', schema: 't_hooli' };
const ORG_ADMIN = { email: 'richard@hooli.test', password: 'demo-password' };

async function webAdmin(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: webUrl() });
  const page = await context.newPage();
  await page.goto(webUrl('/sign-in'));
  await page.waitForLoadState('networkidle');
  await page.getByLabel('Email').fill(ORG_ADMIN.email);
  await page.getByLabel('Password').fill(ORG_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/projects/);
  return page;
}

async function requestAccess(page: Page, reason: string): Promise<void> {
  await page.goto(`/support/${TENANT.slug}`);
  await hydrated(page);
  await page.getByLabel('Reason (the organisation sees it)').fill(reason);
  await page.getByRole('button', { name: 'Request access' }).click();
  // The page re-renders with the open request, which has no form.
  await expect(page.getByTestId('support-state')).toHaveAttribute('data-state', 'pending');
  await expect(page.getByRole('button', { name: 'Request access' })).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('support-state')).toHaveAttribute('data-state', 'pending');
  await expect(page.getByTestId('support-banner')).toHaveCount(0);
}

async function approve(web: Page, reason: string): Promise<void> {
  await web.goto(webUrl(`/o/${TENANT.slug}/support`));
  const row = web.getByRole('row').filter({ hasText: reason });
  await expect(row).toHaveAttribute('data-state', 'pending');
  await web.waitForLoadState('networkidle');
  await row.getByRole('button', { name: /Approve support access/ }).click();
  await expect(web.getByRole('row').filter({ hasText: reason })).toHaveAttribute('data-state', 'active');
}

test('request, approval in the web app, a read-only view with a banner, every page in the activity log, then revocation', async ({
  page,
  browser,
}, testInfo) => {
  await signIn(page);
  await page.goto(`/support/${TENANT.slug}`);
  await expect(page.getByTestId('support-state')).toHaveAttribute('data-state', 'none');
  await expect(page.getByTestId('support-banner')).toHaveCount(0);
  await requestAccess(page, 'ticket 1234: tasks missing');

  const web = await webAdmin(browser);
  await approve(web, 'ticket 1234: tasks missing');
  await screenshot(web, testInfo, 'support-web-approved');

  await page.goto(`/support/${TENANT.slug}`);
  const banner = page.getByTestId('support-banner');
  await expect(banner).toContainText('Support view of Hooli');
  await expect(banner).toContainText('read-only');
  await expect(banner).toContainText(/Access ends at \d\d:\d\d UTC \(in (29|30) min\)/);
  await expect(page.getByTestId('support-projects')).toContainText('Nucleus compression');
  // Read-only: the view offers no form at all (the database would refuse a write from a support context anyway).
  await expect(page.locator('main form')).toHaveCount(0);
  await page.getByRole('link', { name: 'Nucleus compression' }).click();
  await expect(page.getByTestId('support-banner')).toContainText('Support view of Hooli');
  await expect(page.getByTestId('support-tasks')).toBeVisible();
  await expect(page.locator('main form')).toHaveCount(0);
  await screenshot(page, testInfo, 'support-view-project');
  const projectPath = new URL(page.url()).pathname;

  // Both pages are in Hooli's log, as the support operator, with their paths.
  await web.goto(webUrl(`/o/${TENANT.slug}/activity`));
  const viewed = web.locator('tr[data-action="support.viewed"]');
  await expect(viewed).toHaveCount(2);
  await expect(viewed.first()).toContainText('Support operator');
  await expect(viewed.first()).toContainText(`path: ${projectPath}`);
  await expect(web.locator('tr[data-action="support.approved"]')).toHaveCount(1);
  await expect(web.locator('tr[data-action="support.requested"]')).toContainText('ticket 1234');
  await screenshot(web, testInfo, 'support-web-activity');

  // The organisation ends it: the next page shows no data, and a page deeper in goes back to the request form.
  await web.goto(webUrl(`/o/${TENANT.slug}/support`));
  web.on('dialog', (dialog) => void dialog.accept());
  await web.waitForLoadState('networkidle');
  await web.getByRole('row').filter({ hasText: 'ticket 1234' }).getByRole('button', { name: 'Revoke' }).click();
  await expect(web.getByRole('row').filter({ hasText: 'ticket 1234' })).toHaveAttribute('data-state', 'revoked');
  await page.goto(projectPath);
  await expect(page).toHaveURL(new RegExp(`/support/${TENANT.slug}$`));
  await expect(page.getByTestId('support-state')).toHaveAttribute('data-state', 'revoked');
  await expect(page.getByTestId('support-banner')).toHaveCount(0);
  await expect(page.getByText('Nucleus compression')).toHaveCount(0);
  await web.context().close();
});

test('an approved grant ends when its time is up', async ({ page, browser }) => {
  await signIn(page);
  await requestAccess(page, 'ticket 5678: slow page');
  const web = await webAdmin(browser);
  await approve(web, 'ticket 5678: slow page');
  await web.context().close();
  await page.goto(`/support/${TENANT.slug}`);
  await expect(page.getByTestId('support-banner')).toBeVisible();
  // An hour-long grant that began 61 minutes ago: what the clock does, without waiting for it.
  const moved = await sql(
    `UPDATE ${TENANT.schema}.support_access SET approved_at = now() - interval '61 minutes', expires_at = now() - interval '1 minute'
      WHERE reason = 'ticket 5678: slow page' RETURNING id`,
  );
  expect(moved).toHaveLength(1);
  await page.goto(`/support/${TENANT.slug}`);
  await expect(page.getByTestId('support-state')).toHaveAttribute('data-state', 'expired');
  await expect(page.getByTestId('support-banner')).toHaveCount(0);
  // A grant longer than an hour cannot even be written.
  await expect(
    sql(`UPDATE ${TENANT.schema}.support_access SET expires_at = approved_at + interval '2 hours' WHERE reason = 'ticket 5678: slow page'`),
  ).rejects.toThrow(/support_access_at_most_an_hour/);
});
