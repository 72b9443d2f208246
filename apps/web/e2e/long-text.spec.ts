import { expect, test, type Page } from '@playwright/test';

import { addTask, createProject, org, screenshot, signIn, skipWithoutChromium } from './support';

skipWithoutChromium(test);

// Issue #15, item 7: one long unbroken word (a 200-character name) made pages tens of thousands of pixels wide, and
// descriptions lost their line breaks.

const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

test('long unbroken names, titles and comments wrap inside the page; a description keeps its line breaks', async ({ page }, testInfo) => {
  await signIn(page, 'bob@acme.test');
  const viewport = page.viewportSize()!.width;
  const stamp = `${testInfo.project.name}${Date.now().toString(36)}`;
  const name = `Long${stamp}`.padEnd(200, 'x');
  const description = 'First line\nSecond line\n\nAfter a blank line';
  const path = await createProject(page, name, description);
  expect(await pageWidth(page)).toBeLessThanOrEqual(viewport);
  // The rendered text (innerText) keeps the breaks only when they are shown.
  expect(await page.getByText('First line').innerText()).toBe(description);

  const title = `Task${stamp}`.padEnd(300, 'y');
  await addTask(page, title);
  expect(await pageWidth(page)).toBeLessThanOrEqual(viewport);
  await screenshot(page, testInfo, 'long-project');

  await page.getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await page.getByLabel('Your comment').fill('z'.repeat(3000));
  await page.getByRole('button', { name: 'Comment' }).click();
  await expect(page.getByRole('list', { name: 'Comments' })).toContainText('zzzz');
  expect(await pageWidth(page)).toBeLessThanOrEqual(viewport);
  await screenshot(page, testInfo, 'long-task');

  await page.goto(org('acme', '/projects'));
  await expect(page.getByRole('link', { name })).toBeVisible();
  expect(await pageWidth(page)).toBeLessThanOrEqual(viewport);
  await page.goto(path);
  expect(await pageWidth(page)).toBeLessThanOrEqual(viewport);
});
