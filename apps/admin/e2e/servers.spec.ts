import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import { deploymentSecrets } from '@repo/db/secrets';
import { createAppTenancy } from '@repo/db/tenancy';
import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test, type Page, type TestInfo } from '@playwright/test';

import { SECOND_SERVER } from './second-server';
import { hydrated, screenshot, signIn, sql } from './support';

skipWithoutChromium(test);

// Issue #21: the deployment's servers in the console. e2e/run.ts adds a second embedded PostgreSQL ("b", drained, so the
// other specs' tenants stay on the primary; it holds a shard of the shared tables). The Servers page lists both; the
// primary cannot be made read-only; b is opened, the seeded schema tenant hooli moved to it (as a schema, then into b's
// shared tables as rls) and back to a schema on the primary through its page (its rows read through b meanwhile), and
// b drained again.
// afterAll puts hooli and b back however a test ended.
test.describe.configure({ mode: 'serial' });

const SLUG = 'hooli';

function row(page: Page, server: string) {
  return page.locator(`[data-testid="servers-table"] tr[data-server="${server}"]`);
}

const catalogServer = async () => (await sql<{ server: string | null }>('SELECT server FROM tenancy.tenants WHERE slug = $1', [SLUG]))[0]?.server;
const catalogStrategy = async () => (await sql<{ strategy: string }>('SELECT strategy FROM tenancy.tenants WHERE slug = $1', [SLUG]))[0]?.strategy;
const serverStates = async () =>
  (await sql<{ name: string; state: string }>('SELECT name, state FROM tenancy.servers ORDER BY name')).map((r) => `${r.name}:${r.state}`);

test.afterAll(async () => {
  if ((await catalogServer()) === null && (await catalogStrategy()) === 'schema' && (await serverStates()).includes(`${SECOND_SERVER}:drained`)) return;
  // A test stopped half-way: the library, configured as the console is, puts things back.
  const env = (name: string) => process.env[name] ?? '';
  const secrets = deploymentSecrets(env('E2E_ADMIN_DATABASE_URL'), env('TENANCY_SECRETS_KEY'), env('TENANCY_CONTEXT_SECRET'));
  const tenancy = createAppTenancy({
    adminUrl: env('E2E_ADMIN_DATABASE_URL'),
    appUrl: env('DATABASE_URL'),
    contextSecret: env('TENANCY_CONTEXT_SECRET'),
    secrets,
    migrationsFolder: TENANT_MIGRATIONS_FOLDER,
    servers: JSON.parse(env('TENANCY_SERVERS')) as [],
  });
  try {
    if ((await catalogServer()) !== null || (await catalogStrategy()) !== 'schema') await tenancy.moveTenant(SLUG, { server: 'primary', strategy: 'schema' });
    await tenancy.setServerState(SECOND_SERVER, 'drained');
  } finally {
    await tenancy.close();
    await secrets.close();
  }
});

test('the Servers page lists the primary and b; the primary cannot be made read-only, an unknown server is a 404', async ({ page, baseURL }, testInfo) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Servers' }).click();
  await expect(page).toHaveURL(/\/servers$/);
  await expect(page.locator('[data-testid="servers-table"] tbody tr')).toHaveCount(2);
  const primary = row(page, 'primary');
  await expect(primary).toContainText('primary');
  await expect(primary.locator('[data-col="state"]')).toContainText('open');
  await expect(primary.locator('[data-col="reachable"]')).toHaveText('yes');
  await expect(primary.locator('[data-col="pools"]')).toHaveText(/^\d+ \/ 20$/);
  await expect(row(page, SECOND_SERVER).locator('[data-col="state"]')).toContainText('drained');
  await expect(row(page, SECOND_SERVER).locator('[data-col="reachable"]')).toHaveText('yes');
  // Both hold shared tables: the primary always, b as a shard (TENANCY_SERVERS says so).
  await expect(primary.locator('[data-col="holds"]')).toContainText('shared tables');
  await expect(row(page, SECOND_SERVER).locator('[data-col="holds"]')).toContainText('shared tables');
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Read-only primary' })).toBeDisabled();
  await screenshot(page, testInfo, 'servers');

  const before = await serverStates();
  const post = (body: unknown) => page.request.post('/api/servers/state', { headers: { origin: baseURL!, 'content-type': 'application/json' }, data: body });
  const readOnly = await post({ name: 'primary', state: 'read_only' });
  expect(readOnly.status()).toBe(422);
  expect(((await readOnly.json()) as { error: string }).error).toMatch(/holds the catalog and the shared tables: it can be drained, not made read-only/);
  const unknown = await post({ name: 'nowhere', state: 'drained' });
  expect(unknown.status()).toBe(404);
  expect(((await unknown.json()) as { error: string }).error).toMatch(/No server named "nowhere"/);
  expect((await post({ name: SECOND_SERVER, state: 'closed' })).status()).toBe(422);
  expect(await serverStates()).toEqual(before);
});

/**
 * Moves hooli to b as `strategy` and back to a schema on the primary through its page's server panel, checking on the
 * way where the catalog, the tenant's page, the tenant list and the Servers page say it is.
 */
async function roundTrip(page: Page, testInfo: TestInfo, strategy: 'schema' | 'rls'): Promise<void> {
  await page.goto(`/tenants/${SLUG}`);
  await hydrated(page);
  const panel = page.getByTestId('server-panel');
  await expect(panel.getByLabel('Server')).toHaveValue(SECOND_SERVER);
  await expect(panel.getByLabel('Strategy there')).toHaveValue('schema');
  // b is a shard of the shared tables: rls is one of the strategies it offers.
  await panel.getByLabel('Strategy there').selectOption(strategy);
  await panel.getByRole('button', { name: `Move the tenant to ${SECOND_SERVER}` }).click();
  await expect(panel.getByTestId('move-result')).toBeVisible({ timeout: 120_000 });
  await expect(panel.getByTestId('move-to-server')).toHaveText(SECOND_SERVER);
  expect(await catalogServer()).toBe(SECOND_SERVER);
  expect(await catalogStrategy()).toBe(strategy);
  // The page is read again: the facts name b, and the rows are counted inside the tenant's context, on b.
  await expect(page.getByTestId('tenant-server')).toContainText(SECOND_SERVER);
  await expect(page.getByTestId('tenant-rows')).toContainText('4');
  await screenshot(page, testInfo, `moved-to-b-${strategy}`);

  await page.goto('/tenants');
  const listed = page.locator(`tr[data-slug="${SLUG}"]`);
  await expect(listed.locator('[data-col="server"]')).toContainText(SECOND_SERVER);
  // A schema on b is not measured from the primary: the list says where it is. rls rows are measured in its context.
  if (strategy === 'schema') await expect(listed.locator('[data-col="size"]')).toContainText(`on ${SECOND_SERVER}`);
  else await expect(listed.locator('[data-col="size"]')).toContainText('row data');
  await page.goto('/servers');
  await expect(row(page, SECOND_SERVER).locator('[data-col="tenants"]')).toHaveText('1');

  await page.goto(`/tenants/${SLUG}`);
  await hydrated(page);
  await expect(panel.getByLabel('Server')).toHaveValue('primary');
  await panel.getByLabel('Strategy there').selectOption('schema');
  await panel.getByRole('button', { name: 'Move the tenant to primary' }).click();
  await expect(panel.getByTestId('move-to-server')).toHaveText('primary', { timeout: 120_000 });
  expect(await catalogServer()).toBeNull();
  expect(await catalogStrategy()).toBe('schema');
  await expect(page.getByTestId('tenant-rows')).toContainText('4');
}

test('opening b, moving hooli there and back from its page (its rows read through b)', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await signIn(page);
  await page.goto('/servers');
  await hydrated(page);
  await page.getByRole('button', { name: `Open ${SECOND_SERVER}` }).click();
  await expect(row(page, SECOND_SERVER).locator('[data-col="state"]')).toContainText('open');
  expect(await serverStates()).toContain(`${SECOND_SERVER}:open`);
  await roundTrip(page, testInfo, 'schema');
});

test("moving hooli into b's shared tables (rls) and back, then draining b", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await signIn(page);
  await roundTrip(page, testInfo, 'rls');

  await page.goto('/servers');
  await hydrated(page);
  await page.getByRole('button', { name: `Drain ${SECOND_SERVER}` }).click();
  await expect(row(page, SECOND_SERVER).locator('[data-col="state"]')).toContainText('drained');
  await expect(row(page, SECOND_SERVER).locator('[data-col="tenants"]')).toHaveText('0');
  expect(await serverStates()).toContain(`${SECOND_SERVER}:drained`);
});
