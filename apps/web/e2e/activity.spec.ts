import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';

import { adminQuery, createProject, org, orgApi, screenshot, signIn, skipWithoutChromium, tenantId, uniqueName, userContext } from './support';

skipWithoutChromium(test);
test.describe.configure({ mode: 'serial' });

// The activity log's page and export: an admin sees who did what (written with each change), newest first and a page at
// a time, and downloads all of it; a member sees nothing and cannot export. Acme is an rls tenant.

test('an admin sees a change they made in the log, with their name', async ({ page }, testInfo) => {
  await signIn(page, 'alice@acme.test');
  const name = uniqueName('Logged project', testInfo);
  await createProject(page, name);
  await page.goto(org('acme', '/activity'));
  await expect(page.getByRole('heading', { level: 1, name: 'Activity' })).toBeVisible();
  // Other specs write to Acme's log too: the entry is among the newest, not necessarily the first.
  const entry = page
    .getByRole('table', { name: 'Activity' })
    .locator('tbody tr')
    .filter({ hasText: `name: ${name}` });
  await expect(entry).toHaveAttribute('data-action', 'project.created');
  await expect(entry).toContainText('Alice');
  await screenshot(page, testInfo, 'activity-admin');
});

test('the log pages by 50, newest first, each page continuing where the one before ended', async ({ page }) => {
  // 60 older entries, written by the test as the superuser (no runtime role may write the log).
  const tenant = await tenantId('acme');
  await adminQuery(
    `INSERT INTO public.activity_log (tenant_id, actor_kind, action, subject_type, detail, created_at)
     SELECT $1, 'system', 'fixture.entry', 'fixture', jsonb_build_object('n', n), now() - interval '1 day' - n * interval '1 second' FROM generate_series(1, 60) n`,
    [tenant],
  );
  await signIn(page, 'alice@acme.test');
  await page.goto(org('acme', '/activity'));
  const rows = page.getByRole('table', { name: 'Activity' }).locator('tbody tr');
  const seen: string[] = [];
  const ids: string[] = [];
  for (let pages = 1; ; pages++) {
    const texts = await rows.allInnerTexts();
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.length).toBeLessThanOrEqual(50);
    seen.push(...texts);
    ids.push(...(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')!))));
    const older = page.getByRole('link', { name: 'Older' });
    if ((await older.count()) === 0) break;
    expect(texts).toHaveLength(50);
    expect(pages).toBeLessThan(40);
    await older.click();
    await expect(page).toHaveURL(/before=/);
    await expect(page.getByRole('link', { name: 'Newest' })).toBeVisible();
    await expect(rows.first()).not.toHaveText(texts[0]!);
  }
  // No entry twice, and the fixture's entries all there, newest (n: 1) to oldest (n: 60).
  expect(new Set(ids).size).toBe(ids.length);
  const fixture = seen.filter((text) => text.includes('fixture.entry')).map((text) => Number(/n: (\d+)/.exec(text)![1]));
  expect(fixture).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
});

test('the export downloads every entry as NDJSON, newest first, and is itself in the log', async ({ page }) => {
  await signIn(page, 'alice@acme.test');
  await page.goto(org('acme', '/activity'));
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export (NDJSON)' }).click();
  const file = await (await download).path();
  const lines = (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; action: string; createdAt: string });
  const exported = lines.find((l) => l.action === 'activity.exported');
  expect(exported).toBeDefined();
  expect(lines.filter((l) => l.action === 'fixture.entry')).toHaveLength(60);
  expect(lines.map((l) => l.createdAt)).toEqual([...lines.map((l) => l.createdAt)].sort().reverse());
  // Everything the log held up to the export is in the file.
  const stored = await adminQuery<{ id: string }>('SELECT id FROM public.activity_log WHERE tenant_id = $1 AND created_at <= $2', [
    await tenantId('acme'),
    exported!.createdAt,
  ]);
  const ids = new Set(lines.map((l) => l.id));
  expect(stored.filter((row) => !ids.has(row.id))).toEqual([]);
  await page.reload();
  await expect(page.locator('tr[data-action="activity.exported"]').first()).toContainText('Alice');
});

test('a member sees no entry and cannot export; another organisation cannot ask at all', async ({ browser, baseURL }, testInfo) => {
  const { context, page } = await userContext(browser, baseURL, 'bob@acme.test');
  await page.goto(org('acme', '/activity'));
  await expect(page.getByText('Only owners and admins can see the activity log.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Activity' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Export (NDJSON)' })).toHaveCount(0);
  expect((await page.request.get(orgApi('acme', '/activity'))).status()).toBe(403);
  expect((await page.request.get(orgApi('globex', '/activity'))).status()).toBe(404);
  await screenshot(page, testInfo, 'activity-member');
  await context.close();
});
