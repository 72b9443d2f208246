import { skipWithoutChromium } from '@repo/e2e/chromium';
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { hydrated, screenshot, signIn, sql } from './support';

skipWithoutChromium(test);

// Issue #18, item 6: a tenant's export downloaded, restored from the upload as a copy, moved to another strategy with
// its progress and write pause, deleted with an archive and restored from ARCHIVE_DIR under its own id. One story on
// the seeded acme (only read) and its copy, which the last test removes again.
test.describe.configure({ mode: 'serial' });

const COPY = 'e2e_acme_copy';

interface Manifest {
  format: string;
  tenant: { id: string; slug: string; name: string; strategy: string };
  schemaVersion: string | null;
  tables: { name: string; rows: number }[];
}

let exported = '';
let manifest: Manifest;
let copyId = '';

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

function readManifest(file: string): Manifest {
  return JSON.parse(execFileSync('tar', ['-xzOf', file, 'manifest.json'], { encoding: 'utf8' })) as Manifest;
}

async function tenantCount(): Promise<number> {
  const [row] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM tenancy.tenants');
  return row!.n;
}

function uploadsLeft(): string[] {
  try {
    return readdirSync(path.join(process.env.ARCHIVE_DIR!, 'uploads'));
  } catch {
    return [];
  }
}

/** The rows column of a tenant's line in the tenants table: the total and the count per table. */
async function rowsInTable(page: Page, slug: string): Promise<string> {
  await page.goto('/tenants');
  return (await page.locator(`tr[data-slug="${slug}"] [data-col=rows]`).innerText()).trim();
}

async function upload(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await page.goto('/tenants/restore');
  await hydrated(page);
  await page.getByLabel('Archive', { exact: true }).setInputFiles(file);
  await page.getByRole('button', { name: 'Upload and check' }).click();
}

test('the operator downloads an export from the tenant page: a gzip tar whose manifest names the tenant', async ({ page }, testInfo) => {
  await page.goto('/tenants');
  await page.locator('tr[data-slug="acme"]').getByRole('link', { name: /Acme/ }).click();
  await expect(page).toHaveURL(/\/tenants\/acme$/);
  await expect(page.getByTestId('tenant-strategy')).toHaveText('rls');
  await hydrated(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download export' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^acme-\d{4}-\d{2}-\d{2}T[\d-]+Z\.tar\.gz$/);
  exported = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(exported);
  // gzip (tar -z) around a tar whose manifest entry names the tenant.
  expect(readFileSync(exported).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  manifest = readManifest(exported);
  expect(manifest).toMatchObject({ format: 'tenancy-archive/2', tenant: { slug: 'acme', strategy: 'rls' } });
  const [acme] = await sql<{ id: string }>(`SELECT id FROM tenancy.tenants WHERE slug = 'acme'`);
  expect(manifest.tenant.id).toBe(acme!.id);
  expect(manifest.tables.reduce((sum, t) => sum + t.rows, 0)).toBeGreaterThan(0);
  // The temporary file is gone from the server once the download is over.
  expect(readdirSync(os.tmpdir()).filter((name) => name.startsWith('admin-export-'))).toEqual([]);
  await screenshot(page, testInfo, 'tenant-page');
});

test('a damaged archive is refused on upload with a clear message, and nothing is created', async ({ page }, testInfo) => {
  const before = await tenantCount();
  // Not an archive at all.
  await upload(page, { name: 'notes.tar.gz', mimeType: 'application/gzip', buffer: Buffer.from('these are not the rows you are looking for\n') });
  await expect(page.getByTestId('upload-error')).toContainText('This archive cannot be restored');
  await expect(page.getByTestId('upload-error')).toContainText('Nothing was created.');
  // The real export with one byte changed in the middle: the rows no longer match what the manifest says.
  const damaged = readFileSync(exported);
  const at = Math.floor(damaged.length / 2);
  damaged[at] = damaged[at]! ^ 0xff;
  await upload(page, { name: 'acme-damaged.tar.gz', mimeType: 'application/gzip', buffer: damaged });
  const error = page.getByTestId('upload-error');
  await expect(error).toContainText('This archive cannot be restored');
  await screenshot(page, testInfo, 'restore-damaged');
  await expect(page).toHaveURL(/\/tenants\/restore$/);
  expect(await tenantCount()).toBe(before);
  expect(uploadsLeft()).toEqual([]);
});

test('the export, uploaded, shows its manifest and is restored as a copy with a new id and the same row counts', async ({ page }, testInfo) => {
  const before = await tenantCount();
  await upload(page, exported);
  await expect(page).toHaveURL(/\/tenants\/restore\?upload=/);
  const shown = page.getByTestId('archive-manifest');
  await expect(shown).toContainText('acme');
  await expect(shown).toContainText(manifest.schemaVersion ?? '—');
  for (const table of manifest.tables) await expect(shown.locator(`[data-table="${table.name}"]`)).toContainText(`${table.name}: ${table.rows}`);
  await hydrated(page);
  // acme is still there: the form says so, and defaults to a copy.
  await expect(page.getByText('A tenant acme exists')).toBeVisible();
  await expect(page.getByLabel('As a copy with a new id')).toBeChecked();
  await expect(page.getByLabel('Slug')).toHaveValue('acme');
  await screenshot(page, testInfo, 'restore-manifest');

  // The archive's slug is taken: refused beside the field, nothing created.
  await page.getByRole('button', { name: 'Restore tenant' }).click();
  await expect(page.getByText('A tenant "acme" already exists: pick another slug. Nothing was created.')).toBeVisible();
  expect(await tenantCount()).toBe(before);

  await page.getByLabel('Slug').fill(COPY);
  await page.getByLabel('Name', { exact: true }).fill('E2E Acme Copy');
  await page.locator('input[name=strategy][value=schema]').check();
  await page.getByLabel('As a copy with a new id').check();
  await page.getByRole('button', { name: 'Restore tenant' }).click();
  const result = page.getByTestId('restore-result');
  await expect(result).toContainText(`Tenant ${COPY} restored`, { timeout: 60_000 });
  await expect(result).toContainText('(new: a copy)');
  for (const table of manifest.tables) await expect(result.getByTestId('restored-rows')).toContainText(`${table.rows} ${table.name}`);
  await screenshot(page, testInfo, 'restore-result');

  const [copy] = await sql<{ id: string; strategy: string; status: string }>('SELECT id, strategy, status FROM tenancy.tenants WHERE slug = $1', [COPY]);
  expect(copy).toMatchObject({ strategy: 'schema', status: 'active' });
  expect(copy!.id).not.toBe(manifest.tenant.id);
  copyId = copy!.id;
  // The upload is gone once restored.
  expect(uploadsLeft()).toEqual([]);
  // Counted inside each tenant's own context: the copy holds what acme holds.
  expect(await rowsInTable(page, COPY)).toBe(await rowsInTable(page, 'acme'));
});

test('moving refuses a tenant that is not active, and the strategy it is already in', async ({ page, baseURL }) => {
  const move = (strategy: string) => page.request.post('/api/tenants/move', { data: { slug: COPY, strategy }, headers: { origin: baseURL! } });
  const same = await move('schema');
  expect(same.status()).toBe(422);
  expect((await same.json()).error).toBe(`Tenant "${COPY}" is already in schema: choose another strategy.`);
  await sql(`UPDATE tenancy.tenants SET status = 'moving' WHERE slug = $1`, [COPY]);
  try {
    const moving = await move('database');
    expect(moving.status()).toBe(409);
    expect((await moving.json()).error).toContain('is moving, not active: only an active tenant can be moved');
    await page.goto(`/tenants/${COPY}`);
    await expect(page.getByText('only an active tenant can be moved')).toBeVisible();
    await expect(page.getByRole('button', { name: /^Move to/ })).toBeDisabled();
  } finally {
    await sql(`UPDATE tenancy.tenants SET status = 'active' WHERE slug = $1`, [COPY]);
  }
  expect(await sql(`SELECT 1 FROM pg_database WHERE datname = $1`, [`t_${COPY}`])).toHaveLength(0);
});

test('the operator moves the copy to a database of its own, with live progress and the write pause reported', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const rowsBefore = await rowsInTable(page, COPY);
  await page.goto(`/tenants/${COPY}`);
  await hydrated(page);
  await expect(page.getByTestId('tenant-strategy')).toHaveText('schema');
  // Only the other strategies are offered.
  expect(await page.locator('input[name=strategy]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(['rls', 'database']);
  await page.locator('input[name=strategy][value=database]').check();
  // Every state of the progress panel while it is on screen.
  await page.evaluate(() => {
    const w = window as unknown as { __moveSeen: string[] };
    w.__moveSeen = [];
    new MutationObserver(() => {
      const active = document.querySelector('[data-testid="move-progress"] .step.active');
      if (active) w.__moveSeen.push(active.getAttribute('data-step') ?? '');
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.getByRole('button', { name: 'Move to database' }).click();
  const progress = page.getByTestId('move-progress');
  await expect(progress).toBeVisible();
  // The pause waits out other processes' catalog caches (seconds): the panel shows it while it lasts.
  await expect(progress.locator('.step.active')).toHaveAttribute('data-step', 'pause', { timeout: 30_000 });
  await screenshot(page, testInfo, 'move-progress');
  const result = page.getByTestId('move-result');
  await expect(result).toContainText('Moved from schema to database', { timeout: 60_000 });
  await expect(result.getByTestId('move-pause')).toHaveText(/^\d+(\.\d)? (ms|s)$/);
  await expect(result.getByTestId('move-caught-up')).toContainText(/^(yes|none)/);
  const seen = await page.evaluate(() => (window as unknown as { __moveSeen: string[] }).__moveSeen);
  expect(seen).toContain('copy');
  expect(seen).toContain('pause');
  // The page above the form is read again: the tenant is in its own database now.
  await expect(page.getByTestId('tenant-strategy')).toHaveText('database');
  await screenshot(page, testInfo, 'move-result');
  await page.reload();
  await expect(page.getByTestId('tenant-strategy')).toHaveText('database');
  await expect(page.getByTestId('tenant-facts')).toContainText(`database t_${COPY}`);

  const [moved] = await sql<{ id: string; strategy: string; status: string }>('SELECT id, strategy, status FROM tenancy.tenants WHERE slug = $1', [COPY]);
  expect(moved).toEqual({ id: copyId, strategy: 'database', status: 'active' });
  expect(await sql(`SELECT 1 FROM pg_database WHERE datname = $1`, [`t_${COPY}`])).toHaveLength(1);
  expect(await sql(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [`t_${COPY}`])).toHaveLength(0);
  expect(await rowsInTable(page, COPY)).toBe(rowsBefore);
});

test('a deleted tenant’s archive in ARCHIVE_DIR is restored with one click, under its own id', async ({ page }, testInfo) => {
  const rowsBefore = await rowsInTable(page, COPY);
  await page.goto(`/tenants/${COPY}/delete`);
  await hydrated(page);
  await page.getByLabel(`Type ${COPY} to confirm`).fill(COPY);
  await page.getByRole('button', { name: 'Delete this tenant' }).click();
  const archive = path.basename((await page.getByTestId('archive-path').innerText({ timeout: 30_000 })).trim());

  await page.goto('/tenants/restore');
  await page.getByRole('link', { name: `Restore ${archive}` }).click();
  await expect(page.getByTestId('archive-manifest')).toContainText(COPY);
  await hydrated(page);
  // Nothing clashes now: the defaults are the archive's own slug, strategy and id.
  await expect(page.getByLabel('Slug')).toHaveValue(COPY);
  await expect(page.locator('input[name=strategy][value=database]')).toBeChecked();
  await expect(page.getByLabel('Restore under the archive’s id')).toBeChecked();
  await screenshot(page, testInfo, 'restore-from-archive-dir');
  await page.getByRole('button', { name: 'Restore tenant' }).click();
  await expect(page.getByTestId('restore-result')).toContainText(`Tenant ${COPY} restored`, { timeout: 60_000 });
  await expect(page.getByTestId('restore-result')).toContainText('(the archive’s)');
  const [restored] = await sql<{ id: string; strategy: string }>('SELECT id, strategy FROM tenancy.tenants WHERE slug = $1', [COPY]);
  expect(restored).toEqual({ id: copyId, strategy: 'database' });
  expect(await rowsInTable(page, COPY)).toBe(rowsBefore);

  // Leave the deployment as the story found it.
  await page.goto(`/tenants/${COPY}/delete`);
  await hydrated(page);
  await page.getByLabel(/Archive first/).uncheck();
  await page.getByLabel(`Type ${COPY} to confirm`).fill(COPY);
  await page.getByRole('button', { name: 'Delete this tenant' }).click();
  await expect(page.getByTestId('delete-result')).toContainText(`Tenant ${COPY} deleted`, { timeout: 30_000 });
  expect(await sql('SELECT 1 FROM tenancy.tenants WHERE slug = $1', [COPY])).toHaveLength(0);
});
