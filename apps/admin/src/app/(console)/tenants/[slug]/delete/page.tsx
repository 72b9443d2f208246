import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { SLUG_PATTERN } from '@repo/tenancy/slug';

import { DeleteTenantForm } from '@/components/delete-tenant-form';
import { TenantFacts } from '@/components/tenant-facts';
import { serverEnv } from '@/env';
import { findTenant } from '@/server/queries/catalog';
import { requireOperator } from '@/server/session';
import { deleteTenantAction } from './actions';

export const metadata: Metadata = { title: 'Delete tenant · Tenancy Operator Console' };

export default async function DeleteTenantPage({ params }: { params: Promise<{ slug: string }> }) {
  await requireOperator();
  const { slug } = await params;
  const tenant = SLUG_PATTERN.test(slug) ? await findTenant(slug) : null;
  if (!tenant) notFound();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link href="/tenants">Tenants</Link> / <Link href={`/tenants/${tenant.slug}`}>{tenant.slug}</Link>
          </p>
          <h1>Delete tenant</h1>
        </div>
      </div>
      <div className="panel danger-panel">
        <TenantFacts tenant={tenant} />
        <p>
          Deleting removes{' '}
          {tenant.strategy === 'database'
            ? 'the tenant database and its login role'
            : tenant.strategy === 'schema'
              ? 'the tenant schema with every row in it, and its role'
              : 'every row of this tenant from the shared tables'}
          , its catalog entry and its members’ memberships. User accounts stay.
        </p>
        <DeleteTenantForm slug={tenant.slug} archiveDir={serverEnv().ARCHIVE_DIR} action={deleteTenantAction} />
      </div>
    </>
  );
}
