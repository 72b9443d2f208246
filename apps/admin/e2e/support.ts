import { expect, type Page, type TestInfo } from '@playwright/test';
import path from 'node:path';
import pg from 'pg';

export const OPERATOR = { email: 'ops@tenancy.test', password: 'operator-password' };
/** A seeded tenant user (admin of acme in the web app): must not get into the operator console. */
export const TENANT_USER = { email: 'alice@acme.test', password: 'demo-password' };

export const webUrl = (p = '') => `http://127.0.0.1:${process.env.E2E_WEB_PORT ?? 3310}${p}`;

/** Every page of the console; each must send a visitor without an operator session to the sign-in page. */
export const PAGE_ROUTES = [
  '/',
  '/tenants',
  '/tenants?strategy=rls&sort=size&dir=desc',
  '/tenants/new',
  '/tenants/restore',
  '/tenants/acme',
  '/tenants/acme/delete',
  '/support/acme',
  '/migrate',
  '/pools',
  '/servers',
  '/audit',
];
/** The API routes that do work; they answer 401 instead of redirecting. */
export const API_ROUTES = [
  '/api/tenants',
  '/api/migrate',
  '/api/tenants/move',
  '/api/tenants/plan',
  '/api/tenants/export',
  '/api/archives',
  '/api/servers/state',
];

/**
 * Waits until React has hydrated the page (its interactive parts carry data-ready then): a click before that
 * is a plain HTML submit, or nothing at all.
 */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('[data-ready]').first().waitFor();
}

export async function signIn(page: Page, account = OPERATOR): Promise<void> {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/tenants$/);
}

/** Screenshots are kept as test output: test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: path.join(testInfo.project.outputDir, 'screenshots', `${name}.png`), fullPage: true });
}

/** One query with the owner connection: the tests check the database itself, not only the UI. */
export async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const url = process.env.E2E_ADMIN_DATABASE_URL;
  if (!url) throw new Error('E2E_ADMIN_DATABASE_URL is not set: run through `npm run test:e2e`.');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
