import { expect, test } from '@playwright/test';

import { org, orgApi, screenshot, signIn, skipWithoutChromium } from './support';

skipWithoutChromium(test);

test.describe('signing in and out', () => {
  test('unauthenticated requests redirect to sign-in; the API answers 401', async ({ page, request }, testInfo) => {
    for (const path of ['/', org('acme', '/projects'), org('acme', '/members'), org('acme', '/projects/00000000-0000-4000-8000-000000000000')]) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/sign-in/);
    }
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tenancy Starter');
    await expect(page.getByText('Sign in to your workspace')).toBeVisible();
    await screenshot(page, testInfo, 'sign-in');

    const api = await request.get(orgApi('acme', '/projects'));
    expect(api.status()).toBe(401);
    expect(await api.json()).toEqual({ error: 'Sign in first.' });
  });

  test('validates the form and refuses a wrong password without saying which part was wrong', async ({ page }, testInfo) => {
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Enter a valid email address')).toBeVisible();
    await expect(page.getByText('Enter your password')).toBeVisible();

    await page.getByLabel('Email').fill('alice@acme.test');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#sign-in-error')).toHaveText('Email or password is incorrect.');
    await screenshot(page, testInfo, 'sign-in-error');

    await page.getByLabel('Email').fill('nobody@nowhere.test');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#sign-in-error')).toHaveText('Email or password is incorrect.');
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test('returns to the page asked for, and signs out', async ({ page }) => {
    await page.goto(org('acme', '/members'));
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fo%2Facme%2Fmembers/);
    await page.getByLabel('Email').fill('bob@acme.test');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/o\/acme\/members$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Members' })).toBeVisible();

    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto(org('acme', '/projects'));
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test('a signed-in user going to sign-in, or to /, lands on the projects of their first organisation', async ({ page }) => {
    await signIn(page, 'bob@acme.test');
    await page.goto('/sign-in');
    await expect(page).toHaveURL(/\/o\/acme\/projects$/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/o\/acme\/projects$/);
  });
});
