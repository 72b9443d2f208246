import { planForStrategy } from '@repo/db/plans';
import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { hydrated, screenshot, signIn, sql, webUrl } from './support';

skipWithoutChromium(test);

// One story on one database: each test builds on the one before.
test.describe.configure({ mode: 'serial' });

type Strategy = 'rls' | 'schema' | 'database';

interface Created {
  slug: string;
  name: string;
  strategy: Strategy;
  email: string;
  /** Typed in the form, or read from the result page (generated, shown once). */
  password: string;
}

const TENANTS: { slug: string; name: string; strategy: Strategy; typedPassword?: string }[] = [
  { slug: 'e2e_rls', name: 'E2E Row Level', strategy: 'rls' },
  { slug: 'e2e_schema', name: 'E2E Schema', strategy: 'schema', typedPassword: 'schema-admin-password-1' },
  { slug: 'e2e_database', name: 'E2E Database', strategy: 'database' },
];
const created: Created[] = [];

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

async function createTenant(
  page: Page,
  tenant: (typeof TENANTS)[number],
  hooks: { beforeSubmit?: () => Promise<void>; afterSubmit?: () => Promise<void> } = {},
): Promise<Created> {
  const email = `admin@${tenant.slug.replaceAll('_', '-')}.test`;
  await page.goto('/tenants/new');
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(tenant.name);
  // The slug is suggested from the name until the operator types one.
  await expect(page.getByLabel('Slug')).toHaveValue(tenant.name.toLowerCase().replace(/[^a-z0-9]+/g, '_'));
  await page.getByLabel('Slug').fill(tenant.slug);
  // The plan decides the strategy: free -> rls, business -> schema, enterprise -> database.
  await page.locator(`input[name=plan][value=${planForStrategy(tenant.strategy)}]`).check();
  await page.getByLabel('Admin email').fill(email);
  await page.getByLabel('Admin name').fill(`${tenant.name} Admin`);
  if (tenant.typedPassword) {
    await page.getByLabel('Set one now').check();
    await page.getByLabel('Password', { exact: true }).fill(tenant.typedPassword);
  }
  await hooks.beforeSubmit?.();
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await hooks.afterSubmit?.();
  const result = page.getByTestId('create-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(result).toContainText(`Tenant ${tenant.slug} created`);
  const password = tenant.typedPassword ?? (await result.getByTestId('generated-password').innerText()).trim();
  expect(password.length).toBeGreaterThanOrEqual(12);
  return { slug: tenant.slug, name: tenant.name, strategy: tenant.strategy, email, password };
}

/** Records every state of the provisioning panel (the active step) while it is on screen. */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __progressSeen: string[] };
    w.__progressSeen = [];
    const observer = new MutationObserver(() => {
      const panel = document.querySelector('[data-testid="provision-progress"]');
      const active = panel?.querySelector('.step.active');
      if (panel && active) w.__progressSeen.push(`${panel.querySelector('h2')?.textContent ?? ''} | ${active.textContent ?? ''}`);
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

test('the create form shows validation errors inline and creates nothing', async ({ page }, testInfo) => {
  await page.goto('/tenants/new');
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('Bad');
  await page.getByLabel('Slug').fill('9-Bad Slug');
  await page.getByLabel('Admin email').fill('not-an-email');
  await page.getByLabel('Set one now').check();
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByText('Use 2-48 characters')).toBeVisible();
  await expect(page.getByText('Enter a valid email address.')).toBeVisible();
  await expect(page.getByText("Enter the admin's name.")).toBeVisible();
  await expect(page.getByText('Use at least 12 characters')).toBeVisible();
  await screenshot(page, testInfo, 'create-invalid');

  // A slug that is taken is refused before anything is provisioned.
  await page.getByLabel('Slug').fill('acme');
  await page.getByLabel('Admin email').fill('someone@acme-two.test');
  await page.getByLabel('Admin name').fill('Someone');
  await page.getByLabel('Password', { exact: true }).fill('long-enough-password');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByText('A tenant "acme" already exists')).toBeVisible();
  expect(await sql('SELECT 1 FROM public.users WHERE email = $1', ['someone@acme-two.test'])).toHaveLength(0);
});

test('the operator creates one tenant of each strategy, with progress while the database is cloned', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  for (const tenant of TENANTS) {
    const database = tenant.strategy === 'database';
    const beforeSubmit = async () => {
      // The filled form, with the steps this strategy goes through beside it.
      await screenshot(page, testInfo, `create-${tenant.strategy}-form`);
      // Cloning takes well under a second here: too short to poll for, so the page records what the progress
      // panel showed while it ran.
      if (database) await recordProgress(page);
    };
    created.push(await createTenant(page, tenant, { beforeSubmit }));
    if (database) {
      const seen = await page.evaluate(() => (window as unknown as { __progressSeen: string[] }).__progressSeen);
      // The panel was on screen while the database was being cloned, with that step active.
      expect(seen.some((text) => text.includes('Provisioning') && text.includes('Clone the tenant database from the template'))).toBe(true);
    }
    // The result keeps the finished steps.
    await expect(page.getByTestId('create-result').getByRole('listitem').first()).toContainText('Reserve the slug');
    await screenshot(page, testInfo, `create-${tenant.strategy}-result`);
  }
  const rows = await sql<{ slug: string; strategy: string; status: string }>(
    'SELECT slug, strategy, status FROM tenancy.tenants WHERE slug = ANY($1) ORDER BY slug',
    [TENANTS.map((t) => t.slug)],
  );
  expect(rows).toEqual([
    { slug: 'e2e_database', strategy: 'database', status: 'active' },
    { slug: 'e2e_rls', strategy: 'rls', status: 'active' },
    { slug: 'e2e_schema', strategy: 'schema', status: 'active' },
  ]);
  // Each one's plan is recorded with it.
  const plans = await sql<{ slug: string; plan: string; pending_plan: string | null }>(
    'SELECT t.slug, p.plan, p.pending_plan FROM tenancy.tenants t JOIN public.tenant_plans p ON p.tenant_id = t.id WHERE t.slug = ANY($1) ORDER BY t.slug',
    [TENANTS.map((t) => t.slug)],
  );
  expect(plans).toEqual([
    { slug: 'e2e_database', plan: 'enterprise', pending_plan: null },
    { slug: 'e2e_rls', plan: 'free', pending_plan: null },
    { slug: 'e2e_schema', plan: 'business', pending_plan: null },
  ]);
  // Each first admin is a user with an owner membership; the generated password is stored only as a hash.
  for (const tenant of created) {
    const members = await sql<{ role: string; password_hash: string }>(
      `SELECT m.role, u.password_hash FROM public.memberships m JOIN public.users u ON u.id = m.user_id
         JOIN tenancy.tenants t ON t.id = m.tenant_id WHERE t.slug = $1 AND u.email = $2`,
      [tenant.slug, tenant.email],
    );
    expect(members).toHaveLength(1);
    expect(members[0]!.role).toBe('owner');
    expect(members[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(members[0]!.password_hash).not.toContain(tenant.password);
  }
  const [db] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_database WHERE datname = 't_e2e_database'`);
  expect(db!.n).toBe(1);
});

test('the new tenants are in the table with their sizes, and the table sorts and filters', async ({ page }, testInfo) => {
  await page.goto('/tenants');
  for (const tenant of created) {
    const row = page.locator(`tr[data-slug="${tenant.slug}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText(tenant.name);
    await expect(row.locator('.pill')).toHaveText(tenant.strategy);
    await expect(row.getByTestId('tenant-plan')).toHaveText(planForStrategy(tenant.strategy));
    await expect(row).toContainText('active');
    await expect(row.locator('[data-col=size]')).toContainText(/\d+(\.\d)? (B|kB|MB)/);
    await expect(row.locator('[data-col=rows]')).toContainText(/^0/);
  }
  // A database tenant is a database of its own: several MB of system catalogs even when empty.
  await expect(page.locator('tr[data-slug="e2e_database"] [data-col=size]')).toContainText('MB');
  await expect(page.getByRole('img', { name: 'Tenants per strategy' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Size: Database tenants: whole database' })).toBeVisible();
  await screenshot(page, testInfo, 'tenants');

  await page.getByRole('group', { name: 'Strategy' }).getByRole('link', { name: 'database', exact: true }).click();
  await expect(page).toHaveURL(/strategy=database/);
  await expect(page.locator('tr[data-slug="e2e_database"]')).toBeVisible();
  await expect(page.locator('tr[data-slug="e2e_rls"]')).toHaveCount(0);
  await expect(page.locator('tr[data-slug="e2e_schema"]')).toHaveCount(0);
  await screenshot(page, testInfo, 'tenants-filter-database');

  await page.goto('/tenants?status=provisioning');
  await expect(page.getByText('No tenants match these filters.')).toBeVisible();

  await page.goto('/tenants');
  await page.getByRole('link', { name: /^Size/ }).click();
  await expect(page).toHaveURL(/sort=size/);
  await page.getByRole('link', { name: /^Size/ }).click();
  await expect(page).toHaveURL(/sort=size&dir=desc/);
  // Largest first: a database tenant (the seeded umbrella or the new one) leads.
  await expect(page.locator('tbody tr').first().locator('.pill')).toHaveText('database');
});

test("each new tenant's admin signs in to the web app at once and sees an empty project list", async ({ browser }, testInfo) => {
  for (const tenant of created) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(webUrl('/sign-in'));
    // The web app's form marks no hydration; network idle means its scripts have loaded and run.
    await page.waitForLoadState('networkidle');
    await page.getByLabel('Email').fill(tenant.email);
    await page.getByLabel('Password').fill(tenant.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/projects/);
    await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
    await expect(page.getByText(`No projects in ${tenant.name}`)).toBeVisible();
    await screenshot(page, testInfo, `web-${tenant.strategy}-admin-projects`);
    await context.close();
  }
});

test('a wrong confirmation deletes nothing', async ({ page }, testInfo) => {
  await page.goto('/tenants/e2e_schema/delete');
  await hydrated(page);
  const confirm = page.getByLabel('Type e2e_schema to confirm');
  const button = page.getByRole('button', { name: 'Delete this tenant' });
  await confirm.fill('e2e_schem');
  await expect(button).toBeDisabled();
  await confirm.fill('E2E_SCHEMA');
  await expect(button).toBeDisabled();
  // The server checks again: submit the wrong text with the button forced on, as a hand-made request would.
  await button.evaluate((el) => el.removeAttribute('disabled'));
  await button.click();
  await expect(page.getByRole('alert').filter({ hasText: 'does not match' })).toBeVisible();
  await screenshot(page, testInfo, 'delete-wrong-confirmation');
  expect(await sql(`SELECT 1 FROM tenancy.tenants WHERE slug = 'e2e_schema' AND status = 'active'`)).toHaveLength(1);
  expect(await sql(`SELECT 1 FROM pg_namespace WHERE nspname = 't_e2e_schema'`)).toHaveLength(1);
  await page.goto('/tenants');
  await expect(page.locator('tr[data-slug="e2e_schema"]')).toBeVisible();
});

test('the operator deletes a tenant with typed confirmation: archived, gone from the table and the database', async ({ page }, testInfo) => {
  await page.goto('/tenants');
  await page.locator('tr[data-slug="e2e_database"]').getByRole('link', { name: 'Delete e2e_database' }).click();
  await expect(page).toHaveURL(/\/tenants\/e2e_database\/delete$/);
  await hydrated(page);
  await expect(page.getByLabel(/Archive first/)).toBeChecked();
  await page.getByLabel('Type e2e_database to confirm').fill('e2e_database');
  await screenshot(page, testInfo, 'delete-confirm');
  await page.getByRole('button', { name: 'Delete this tenant' }).click();
  const result = page.getByTestId('delete-result');
  await expect(result).toContainText('Tenant e2e_database deleted', { timeout: 30_000 });
  const archive = (await result.getByTestId('archive-path').innerText()).trim();
  expect(archive).toContain(process.env.ARCHIVE_DIR!);
  expect(existsSync(archive)).toBe(true);
  // A .tar.gz whose first entry is the manifest: what `tar` (or importTenant) reads back.
  const written = JSON.parse(execFileSync('tar', ['-xzOf', archive, 'manifest.json'], { encoding: 'utf8' })) as { format: string; tenant: { slug: string } };
  expect(written).toMatchObject({ format: 'tenancy-archive/2', tenant: { slug: 'e2e_database' } });
  await screenshot(page, testInfo, 'delete-result');

  await page.getByRole('link', { name: 'Back to tenants' }).click();
  await expect(page.locator('tr[data-slug="e2e_database"]')).toHaveCount(0);
  await expect(page.locator('tr[data-slug="e2e_rls"]')).toBeVisible();
  expect(await sql(`SELECT 1 FROM tenancy.tenants WHERE slug = 'e2e_database'`)).toHaveLength(0);
  expect(await sql(`SELECT 1 FROM pg_database WHERE datname = 't_e2e_database'`)).toHaveLength(0);
  expect(await sql(`SELECT 1 FROM pg_roles WHERE rolname = 't_e2e_database'`)).toHaveLength(0);
  expect(await sql(`SELECT 1 FROM public.memberships m JOIN public.users u ON u.id = m.user_id WHERE u.email = 'admin@e2e-database.test'`)).toHaveLength(0);
});

test('migrate all reports every target as it finishes and a summary without failures', async ({ page }, testInfo) => {
  await page.goto('/migrate');
  await hydrated(page);
  await page.getByRole('button', { name: 'Run migrations' }).click();
  const summary = page.getByTestId('migrate-summary');
  await expect(summary).toContainText('0 failed', { timeout: 60_000 });
  const progress = page.getByTestId('migrate-progress');
  for (const target of ['shared:public', 'template:schema', 'template:database', 'e2e_rls', 'e2e_schema', 'umbrella'])
    await expect(progress).toContainText(target);
  await screenshot(page, testInfo, 'migrate');
});

test('the pool view shows per-tenant pools and server connections against the caps', async ({ page }, testInfo) => {
  // The tenants page counts rows inside every tenant, so the seeded database tenant's pool is open.
  await page.goto('/tenants');
  await page.goto('/pools');
  await expect(page.getByRole('meter', { name: /per-tenant pool connections/ })).toContainText('/ 20');
  await expect(page.getByRole('meter', { name: /max_connections/ })).toBeVisible();
  await expect(page.getByTestId('pools-table')).toContainText('umbrella');
  await expect(page.getByTestId('server-connections')).toContainText('app_operator');
  await expect(page.getByTestId('server-connections')).toContainText('t_umbrella');
  await screenshot(page, testInfo, 'pools');
});

test('the audit runs and shows no findings on this deployment', async ({ page }, testInfo) => {
  await page.goto('/audit');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit');
  await expect(page.getByTestId('audit-clear')).toContainText('No findings');
  await screenshot(page, testInfo, 'audit');
});
