import { expect, test, type Browser, type Page } from '@playwright/test';
import { linkIn, waitForMailIn } from '@repo/mail/test-server';

import { adminQuery, org, skipWithoutChromium } from './support';
import { createUser, type TestUser } from './users';

skipWithoutChromium(test);

// Invitations by emailed link, in Chromium, with the mail read from the real SMTP server e2e/run.ts started: an admin
// invites from the members page, the link works once, only for the invited address, and not once revoked.

const MAILBOX = process.env.E2E_MAILBOX_DIR ?? '';
const unique = (label: string) => `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}@example.test`;

async function signedIn(browser: Browser, baseURL: string | undefined, user: TestUser): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  return page;
}

async function invite(admin: Page, email: string, role: 'admin' | 'member' | 'viewer'): Promise<void> {
  await admin.goto(org('acme', '/members'));
  const form = admin.getByRole('form', { name: 'Invite someone' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role', { exact: true }).selectOption(role);
  await form.getByRole('button', { name: 'Invite' }).click();
  await expect(admin.getByText(`Invitation sent to ${email}.`)).toBeVisible();
  await expect(admin.getByRole('table', { name: 'Pending invitations' }).getByText(email)).toBeVisible();
}

const roleIn = async (email: string) =>
  (
    await adminQuery<{ role: string }>(
      `SELECT m.role FROM public.memberships m JOIN public.users u ON u.id = m.user_id JOIN tenancy.tenants t ON t.id = m.tenant_id
        WHERE t.slug = 'acme' AND lower(u.email) = lower($1)`,
      [email],
    )
  )[0]?.role;

test('an admin invites; the invitee without an account signs up through the link, with the invited role; the link works once', async ({ browser, baseURL }) => {
  const admin = await signedIn(browser, baseURL, await createUser('inviter', { role: 'admin' }));
  const email = unique('invitee');
  await invite(admin, email, 'viewer');
  const mail = await waitForMailIn(MAILBOX, email, /You are invited to/);
  const link = linkIn(mail, `${baseURL}/invite?token=`);

  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByText(`For ${email}, as viewer.`)).toBeVisible();
  const form = page.getByRole('form', { name: 'Create your account' });
  await form.getByLabel('Your name').fill('Ivy Invitee');
  await form.getByLabel('Password').fill('an invitee password');
  await form.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.getByText('is ready and you are a member')).toBeVisible();
  expect(await roleIn(email)).toBe('viewer');

  await page.goto(link);
  await expect(page.getByText('This invitation is invalid, already used, revoked or expired')).toBeVisible();
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('an invitee password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await admin.reload();
  await expect(admin.getByRole('table', { name: 'Pending invitations' })).toHaveCount(0);
});

test('accepting while signed in with another address fails; the invited address accepts; a revoked link does not work', async ({ browser, baseURL }) => {
  const admin = await signedIn(browser, baseURL, await createUser('inviter', { role: 'admin' }));
  const invitee = await createUser('invitee', { tenant: 'globex' });
  const stranger = await createUser('stranger', { tenant: 'globex' });
  await invite(admin, invitee.email, 'member');
  const link = linkIn(await waitForMailIn(MAILBOX, invitee.email, /You are invited to/), `${baseURL}/invite?token=`);

  const wrong = await signedIn(browser, baseURL, stranger);
  await wrong.goto(link);
  await wrong.getByRole('button', { name: 'Accept the invitation' }).click();
  await expect(wrong.getByText('This invitation is for another address')).toBeVisible();
  expect(await roleIn(stranger.email)).toBeUndefined();

  const right = await signedIn(browser, baseURL, invitee);
  await right.goto(link);
  await right.getByRole('button', { name: 'Accept the invitation' }).click();
  await expect(right).toHaveURL(/\/o\/acme\/projects$/);
  expect(await roleIn(invitee.email)).toBe('member');

  // Revoked after the mail went out: the link stops working.
  const revoked = unique('revoked');
  await invite(admin, revoked, 'member');
  const revokedLink = linkIn(await waitForMailIn(MAILBOX, revoked, /You are invited to/), `${baseURL}/invite?token=`);
  await admin.reload();
  await admin.getByRole('button', { name: `Revoke the invitation of ${revoked}` }).click();
  await expect(admin.getByRole('table', { name: 'Pending invitations' }).getByText(revoked)).toHaveCount(0);
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto(revokedLink);
  await expect(page.getByText('This invitation is invalid, already used, revoked or expired')).toBeVisible();
});
