import { randomUUID } from 'node:crypto';
import { STRATEGIES } from '@repo/tenancy';
import type { FuzzDeployment } from './deployment';
import type { FuzzTenant } from './operations';

/** `count` tenants, the three strategies in turn, provisioned a few at a time by the operator's process. */
export async function createTenants(deployment: FuzzDeployment, count: number): Promise<FuzzTenant[]> {
  const tenants: FuzzTenant[] = new Array(count);
  let next = 0;
  const provision = async () => {
    while (next < count) {
      const i = next++;
      const strategy = STRATEGIES[i % STRATEGIES.length]!;
      const slug = `t${String(i).padStart(3, '0')}`;
      const tenant = await deployment.control.createTenant({ slug, name: `fuzz ${slug}`, strategy });
      tenants[i] = { slug, id: tenant.id, admin: randomUUID(), member: randomUUID(), strategy };
    }
  };
  await Promise.all(Array.from({ length: 4 }, provision));
  return tenants;
}
