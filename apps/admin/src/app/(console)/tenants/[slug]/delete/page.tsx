import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { SLUG_PATTERN } from '@repo/tenancy/slug';

import { DeleteTenantForm } from '@/components/delete-tenant-form';
import { serverEnv } from '@/env';
import { formatDate } from '@/lib/format';
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
            <Link href="/tenants">Tenants</Link> / {tenant.slug}
          </p>
          <h1>Delete tenant</h1>
        </div>
      </div>
      <div className="panel danger-panel">
        <dl className="facts">
          <dt>Tenant</dt>
          <dd>
            {tenant.name} <code>{tenant.slug}</code>
          </dd>
          <dt>Strategy</dt>
          <dd>
            <span className={`pill strategy-${tenant.strategy}`}>{tenant.strategy}</span>
          </dd>
          <dt>Status</dt>
          <dd>
            <span className={`status status-${tenant.status}`}>{tenant.status}</span>
          </dd>
          <dt>Created</dt>
          <dd>{formatDate(tenant.createdAt)}</dd>
          <dt>Placement</dt>
          <dd>
            {tenant.strategy === 'database' ? (
              <>
                database <code>{tenant.databaseName}</code>, role <code>{tenant.roleName}</code>
              </>
            ) : tenant.strategy === 'schema' ? (
              <>
                schema <code>{tenant.schemaName}</code>, role <code>{tenant.roleName}</code>
              </>
            ) : (
              <>
                rows in the shared tables of <code>{tenant.schemaName}</code>
              </>
            )}
          </dd>
        </dl>
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
