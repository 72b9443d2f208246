// migrate() in a process of its own, so that migrate-resume.test.ts can kill it half-way (SIGKILL: no
// cleanup, no ROLLBACK sent; the server finds the connection gone). Each tenant's report is one line of JSON.
import { createTenancy, type TenancyConfigInput } from '../src/index';

const config = JSON.parse(process.env.MIGRATE_CHILD_CONFIG ?? '') as TenancyConfigInput;
const tenancy = createTenancy(config);
try {
  await tenancy.migrate({
    concurrency: 1,
    onProgress: (progress) => {
      if (progress.tenant) process.stdout.write(`${JSON.stringify({ slug: progress.tenant.slug, status: progress.status })}\n`);
    },
  });
} finally {
  await tenancy.close();
}
