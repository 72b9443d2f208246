import { createHash } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { bearer } from './api-keys-support';
import { adminQuery, screenshot, signIn, skipWithoutChromium, uniqueName } from './support';

skipWithoutChromium(test);

// The key page (/o/<slug>/settings/api-keys) in the browser, and the key it shows once used by a program: Playwright's
// request context against the same built server.

const PAGE = '/o/acme/settings/api-keys';

test('an admin creates a write key, sees it once, copies it, a program uses it; revoked, it gets 401', async ({ browser, baseURL, request }, testInfo) => {
  const context = await browser.newContext({ baseURL, permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    const page = await context.newPage();
    await signIn(page, 'alice@acme.test');
    await page.goto(PAGE);
    await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
    const name = uniqueName('deploy key', testInfo);
    const form = page.getByRole('form', { name: 'Create an API key' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Scope').selectOption('write');
    await form.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('new-api-key');
    await expect(shown).toHaveText(/^tk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    const key = (await shown.textContent())!;
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await screenshot(page, testInfo, 'api-key-created');

    // Stored as its prefix and sha256, never as itself.
    const prefix = key.slice(0, 11);
    const rows = await adminQuery<{ prefix: string; secret_hash: string; scope: string }>('SELECT * FROM public.api_keys WHERE name = $1', [name]);
    expect(rows).toEqual([expect.objectContaining({ prefix, scope: 'write', secret_hash: createHash('sha256').update(key).digest('hex') })]);
    expect(JSON.stringify(rows)).not.toContain(key.slice(12));

    // A program calls the API with it.
    const created = await request.post('/api/v1/projects', { headers: bearer(key), data: { name: `${name} project` } });
    expect(created.status()).toBe(201);
    const listed = await request.get('/api/v1/projects?limit=5', { headers: bearer(key) });
    expect(listed.status()).toBe(200);

    // Shown once: the page, loaded again, lists the key by its prefix, scope and last use, never the key itself.
    await page.goto(PAGE);
    const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: name });
    await expect(row).toContainText(prefix);
    await expect(row).toContainText('write');
    await expect(row).not.toContainText('Never');
    expect(await page.content()).not.toContain(key);

    // Revoked: the next call is refused.
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: `Revoke ${name}` }).click();
    await expect(row).toContainText('Revoked');
    const refused = await request.get('/api/v1/projects', { headers: bearer(key), failOnStatusCode: false });
    expect(refused.status()).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    await screenshot(page, testInfo, 'api-key-revoked');
  } finally {
    await context.close();
  }
});

test('a member sees no key and no form; the keys stay the admins`', async ({ page }) => {
  await signIn(page, 'bob@acme.test');
  await page.goto(PAGE);
  await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
  await expect(page.getByTestId('role-hint')).toContainText('Only owners and admins');
  await expect(page.getByRole('form', { name: 'Create an API key' })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'API keys' })).toHaveCount(0);
});
