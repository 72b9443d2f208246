import { expect, test, type Page } from '@playwright/test';
import { linkIn, readMailbox, waitForMailIn } from '@repo/mail/test-server';

import { adminQuery, skipWithoutChromium } from './support';
import { createUser } from './users';

skipWithoutChromium(test);

// Sign-up, email confirmation and password reset in Chromium, with the mail read from the real SMTP server e2e/run.ts
// started (every web server sends to it; each mail lands in E2E_MAILBOX_DIR too).

const MAILBOX = process.env.E2E_MAILBOX_DIR ?? '';
const PASSWORD = 'a long sign-up password';

const unique = (label: string) => `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;

async function signUp(page: Page, input: { name: string; email: string; organisation: string }): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Your name').fill(input.name);
  await page.getByLabel('Email').fill(input.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Organisation name').fill(input.organisation);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('status')).toContainText(`Check your inbox: we sent a link to ${input.email}`);
}

async function signInWith(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.beforeAll(() => {
  expect(MAILBOX, 'E2E_MAILBOX_DIR: run the suite with `npm run test:e2e`').not.toBe('');
});

test('sign-up makes an rls organisation with the user as its admin; the emailed link confirms the address once; then sign-in opens it', async ({
  page,
  baseURL,
}) => {
  const email = `${unique('signup')}@example.test`;
  const organisation = `Signup Org ${unique('o')}`;
  await signUp(page, { name: 'Sam Signup', email, organisation });

  const [tenant] = await adminQuery<{ slug: string; strategy: string; status: string; role: string; verified: boolean }>(
    `SELECT t.slug, t.strategy, t.status, m.role, u.email_verified_at IS NOT NULL AS verified
       FROM public.users u JOIN public.memberships m ON m.user_id = u.id JOIN tenancy.tenants t ON t.id = m.tenant_id WHERE u.email = $1`,
    [email],
  );
  expect(tenant).toMatchObject({ strategy: 'rls', status: 'active', role: 'owner', verified: false });
  expect(tenant!.slug).toMatch(/^signup_org_o_/);

  // Not confirmed yet: sign-in is refused.
  await signInWith(page, email, PASSWORD);
  await expect(page.locator('#sign-in-error')).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);

  const mail = await waitForMailIn(MAILBOX, email, /Confirm your email address/);
  const link = linkIn(mail, `${baseURL}/verify-email?token=`);
  // The queue's tables never hold the token: only the worker saw it, and the database keeps its hash.
  const jobs = await adminQuery<{ data: string }>(`SELECT data::text FROM pgboss.job WHERE name = 'account.verify-email'`);
  const token = new URL(link).searchParams.get('token')!;
  expect(jobs.some((job) => job.data.includes(token))).toBe(false);

  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByRole('status')).toContainText(`${email} is confirmed`);
  // Single use.
  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByText('invalid, already used or expired')).toBeVisible();

  await signInWith(page, email, PASSWORD);
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.getByText(organisation).first()).toBeVisible();
});

test('signing up with an address that has an account answers the same, creates nothing, and mails the owner', async ({ page }) => {
  const user = await createUser('taken');
  const before = await adminQuery<{ n: number }>('SELECT count(*)::int AS n FROM tenancy.tenants');
  await signUp(page, { name: 'Someone Else', email: user.email, organisation: `Taken Org ${unique('o')}` });
  expect(await adminQuery<{ n: number }>('SELECT count(*)::int AS n FROM tenancy.tenants')).toEqual(before);
  const mail = await waitForMailIn(MAILBOX, user.email, /You already have an account/);
  expect(mail.text).toContain('/forgot-password');
  expect((await readMailbox(MAILBOX)).some((m) => m.to === user.email && /Confirm/.test(m.subject))).toBe(false);
});

test('password reset: the same answer for an unknown address; the emailed link sets the password once and ends every session', async ({ browser, baseURL }) => {
  const user = await createUser('reset');
  const signedIn = await browser.newContext({ baseURL });
  const old = await signedIn.newPage();
  await signInWith(old, user.email, user.password);
  await expect(old).not.toHaveURL(/\/sign-in/);

  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const nobody = `${unique('nobody')}@example.test`;
  const answers: string[] = [];
  for (const email of [nobody, user.email]) {
    await page.goto('/forgot-password');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    answers.push(((await page.getByRole('status').textContent()) ?? '').replace(email, '<email>'));
  }
  expect(answers[0]).toBe(answers[1]);

  const mail = await waitForMailIn(MAILBOX, user.email, /Reset your password/);
  const link = linkIn(mail, `${baseURL}/reset-password?token=`);
  await page.goto(link);
  await page.locator('input[name="password"]').fill('short');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByText('Use at least 12 characters')).toBeVisible();
  await page.locator('input[name="password"]').fill('my brand new password');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('status')).toContainText('every session of yours has ended');

  // The session opened with the old password is over.
  await old.reload();
  await expect(old).toHaveURL(/\/sign-in/);
  // The link works once.
  await page.goto(link);
  await page.locator('input[name="password"]').fill('yet another new password');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByText('invalid, already used or expired')).toBeVisible();

  await signInWith(page, user.email, user.password);
  await expect(page.locator('#sign-in-error')).toBeVisible();
  await signInWith(page, user.email, 'my brand new password');
  await expect(page).not.toHaveURL(/\/sign-in/);
  // The unknown address got nothing.
  expect((await readMailbox(MAILBOX)).some((m) => m.to === nobody)).toBe(false);
  await signedIn.close();
  await context.close();
});

test('sign-ups per email address are limited (SIGN_UP_MAX_PER_EMAIL, default 3 an hour)', async ({ page }) => {
  const email = `${unique('limit')}@example.test`;
  for (let i = 0; i < 3; i++) await signUp(page, { name: 'Limit', email, organisation: `Limit Org ${unique('o')}` });
  await page.goto('/sign-up');
  await page.getByLabel('Your name').fill('Limit');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Organisation name').fill('One too many');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Too many sign-ups')).toBeVisible();
});

test('the development inbox does not exist outside development', async ({ page }) => {
  const response = await page.goto('/dev/inbox');
  expect(response?.status()).toBe(404);
});

test('changing the password on the account page ends the other sessions and keeps this one', async ({ browser, baseURL }) => {
  const user = await createUser('change');
  const contexts = [await browser.newContext({ baseURL }), await browser.newContext({ baseURL })];
  const [other, here] = await Promise.all(contexts.map((context) => context.newPage()));
  for (const page of [other!, here!]) {
    await signInWith(page, user.email, user.password);
    await expect(page).not.toHaveURL(/\/sign-in/);
  }
  await here!.goto('/account');
  await here!.getByLabel('Current password').fill('not the password');
  await here!.getByLabel('New password').fill('a changed password here');
  await here!.getByRole('button', { name: 'Change password' }).click();
  await expect(here!.getByText('Not your current password')).toBeVisible();
  await here!.getByLabel('Current password').fill(user.password);
  await here!.getByLabel('New password').fill('a changed password here');
  await here!.getByRole('button', { name: 'Change password' }).click();
  await expect(here!.getByRole('status')).toContainText('Your other sessions have ended');
  await other!.reload();
  await expect(other!).toHaveURL(/\/sign-in/);
  await here!.goto('/account');
  await expect(here!.getByRole('heading', { name: 'Your account' })).toBeVisible();
  for (const context of contexts) await context.close();
});
