// A child process of the lifecycle section (bench/src/harness/archive-children.ts starts it): one
// export, one import, or nothing at all (the baseline), then its peak resident set on stdout. A
// process of its own, so the figure is what the work cost, not what the bench already holds.
import { performance } from 'node:perf_hooks';
import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import { createAppTenancy } from '@repo/db/tenancy';
import { FileSecretsProvider } from '@repo/tenancy';
import { dataRows, type ChildReport, type ChildRequest } from './archive-children';

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '') as ChildRequest;
  const tenancy = createAppTenancy({
    adminUrl: request.adminUrl,
    appUrl: request.appUrl,
    contextSecret: request.contextSecret,
    migrationsFolder: TENANT_MIGRATIONS_FOLDER,
    secrets: new FileSecretsProvider(request.secretsFile),
    namePrefix: request.namePrefix,
    catalogCacheMs: request.catalogCacheMs,
  });
  try {
    // Every child, the idle one included, opens its pools and reads the catalog before the work.
    const tenants = await tenancy.listTenants();
    let rows = 0;
    let bytes = 0;
    const started = performance.now();
    if (request.op === 'export') {
      const summary = await tenancy.exportTenant(request.slug!, request.file!);
      rows = dataRows(summary.manifest.tables);
      bytes = summary.bytes;
    } else if (request.op === 'import') {
      const tenant = await tenancy.importTenant(request.file!, { slug: request.slug!, strategy: request.strategy!, id: 'new' });
      if (tenant.status !== 'active') throw new Error(`import left ${tenant.slug} ${tenant.status}`);
      const counted = await tenancy.queryAs<{ n: number }>(
        tenant.slug,
        'select (select count(*) from projects) + (select count(*) from tasks) + (select count(*) from comments) as n',
      );
      rows = Number(counted.rows[0]!.n);
    } else if (tenants.length === 0) {
      throw new Error('the idle child found no tenant in the catalog');
    }
    const ms = performance.now() - started;
    const report: ChildReport = { op: request.op, maxRssKiB: process.resourceUsage().maxRSS, ms, rows, bytes };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await tenancy.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
