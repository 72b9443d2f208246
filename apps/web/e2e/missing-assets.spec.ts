import { expect, test } from '@playwright/test';

import { adminQuery, org, signIn, skipWithoutChromium } from './support';

skipWithoutChromium(test);

// Issue #15, item 7: every page logged a 404 for /favicon.ico.

test('no page asks the server for something that is not there, the favicon included', async ({ page }) => {
  const missing: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 404) missing.push(`${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  const [task] = await adminQuery<{ project: string; task: string }>(
    `SELECT p.id AS project, t.id AS task FROM public.projects p JOIN public.tasks t ON t.project_id = p.id AND t.tenant_id = p.tenant_id
      WHERE p.name = 'Website relaunch' ORDER BY t.created_at LIMIT 1`,
  );
  await page.goto('/sign-in');
  await page.waitForLoadState('networkidle');
  await signIn(page, 'bob@acme.test');
  for (const path of [
    org('acme', '/projects'),
    org('acme', `/projects/${task!.project}`),
    org('acme', `/projects/${task!.project}/tasks/${task!.task}`),
    org('acme', '/members'),
  ]) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
  }
  expect(missing).toEqual([]);

  const favicon = await page.request.get('/favicon.ico');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toMatch(/^image\//);
});
