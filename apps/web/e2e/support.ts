import { expect, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import path from 'node:path';
import pg from 'pg';

export const PASSWORD = 'demo-password';

export { skipWithoutChromium } from '@repo/e2e/chromium';

/** The address of a page of organisation `slug` (/o/<slug><rest>), and of its route handlers (/api/o/<slug><rest>). */
export const org = (slug: string, rest = ''): string => `/o/${slug}${rest}`;
export const orgApi = (slug: string, rest = ''): string => `/api/o/${slug}${rest}`;

/** Signs in; lands on the projects of the user's first organisation (by name): /o/<slug>/projects. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/o\/[a-z0-9-]+\/projects$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
}

/** A signed-in browser context of its own (own cookies), as a second user in another window would be. */
export async function userContext(browser: Browser, baseURL: string | undefined, email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page };
}

/** Full-page screenshot kept as test output: test-results/screenshots/<project>-<name>.png */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: path.join(testInfo.project.outputDir, 'screenshots', `${testInfo.project.name}-${name}.png`), fullPage: true });
}

export function uniqueName(prefix: string, testInfo: TestInfo): string {
  return `${prefix} ${testInfo.project.name} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** As the superuser (row-level security does not filter it): to check what really is in the database. */
export async function adminQuery<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const url = process.env.E2E_ADMIN_DATABASE_URL;
  if (!url) throw new Error('E2E_ADMIN_DATABASE_URL is not set: run the suite with `npm run test:e2e`.');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function tenantId(slug: string): Promise<string> {
  const [row] = await adminQuery<{ id: string }>('SELECT id FROM tenancy.tenants WHERE slug = $1', [slug]);
  if (!row) throw new Error(`no tenant ${slug}`);
  return row.id;
}

/** Creates a project through the UI in organisation `slug` (acme by default) and returns its URL path. */
export async function createProject(page: Page, name: string, description = 'Made by the e2e suite.', slug = 'acme'): Promise<string> {
  await page.goto(org(slug, '/projects'));
  await page.getByRole('button', { name: /New project/ }).click();
  const form = page.getByRole('form', { name: 'Create a project' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel(/Description/).fill(description);
  await form.getByRole('button', { name: 'Create project' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/projects/[0-9a-f-]{36}$`));
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  return new URL(page.url()).pathname;
}

/** Adds a task on the open project page. */
export async function addTask(page: Page, title: string, options: { assignee?: string; due?: string } = {}): Promise<void> {
  const form = page.getByRole('form', { name: 'Add a task' });
  await form.getByLabel('New task').fill(title);
  if (options.assignee) await form.getByLabel('Assignee', { exact: true }).selectOption({ label: options.assignee });
  if (options.due) await form.getByLabel('Due date').fill(options.due);
  await form.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('table', { name: 'Tasks' }).getByRole('link', { name: title })).toBeVisible();
}
