import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { SLUG_PATTERN } from '@repo/tenancy/slug';

import { MoveTenantForm } from '@/components/move-tenant-form';
import { TenantFacts } from '@/components/tenant-facts';
import { formatCount } from '@/lib/format';
import { EXPORT_REFUSALS, type ExportRefusal } from '@/server/export';
import { findTenant } from '@/server/queries/catalog';
import { tenantMigrationTags } from '@/server/queries/migrations';
import { tenantRows, type TenantRows } from '@/server/queries/tenant-rows';
import { requireOperator } from '@/server/session';

export const metadata: Metadata = { title: 'Tenant · Tenancy Operator Console' };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function TenantPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<SearchParams> }) {
  await requireOperator();
  const { slug } = await params;
  const tenant = SLUG_PATTERN.test(slug) ? await findTenant(slug) : null;
  if (!tenant) notFound();
  const refusal = (await searchParams).export;
  const exportError = typeof refusal === 'string' && refusal in EXPORT_REFUSALS ? EXPORT_REFUSALS[refusal as ExportRefusal] : undefined;
  const active = tenant.status === 'active';
  let rows: TenantRows | null = null;
  let rowsError: string | null = null;
  if (active) {
    try {
      rows = await tenantRows(tenant);
    } catch (error) {
      rowsError = error instanceof Error ? error.message : String(error);
    }
  }
  const latest = tenantMigrationTags().at(-1) ?? null;
  const moveBlocked = !active
    ? `The tenant is ${tenant.status}, not active: only an active tenant can be moved.`
    : tenant.schemaVersion !== latest
      ? `The tenant is at schema version ${tenant.schemaVersion ?? 'none'}, not the newest (${latest ?? 'none'}): run Migrate all first.`
      : undefined;

  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link href="/tenants">Tenants</Link> / {tenant.slug}
          </p>
          <h1>{tenant.name}</h1>
        </div>
        <Link className="button button-danger-ghost" href={`/tenants/${tenant.slug}/delete`} aria-label={`Delete ${tenant.slug}`}>
          Delete
        </Link>
      </div>

      <div className="stack">
        <div className="panel">
          <TenantFacts tenant={tenant}>
            <dt>Schema version</dt>
            <dd>
              <code>{tenant.schemaVersion ?? '—'}</code>
            </dd>
            <dt>Rows</dt>
            <dd data-testid="tenant-rows">
              {rows ? (
                <>
                  {formatCount(rows.total)}
                  <span className="muted">
                    {' '}
                    (
                    {Object.entries(rows.tables)
                      .reverse()
                      .map(([t, n]) => `${n} ${t}`)
                      .join(' · ')}
                    )
                  </span>
                </>
              ) : (
                (rowsError ?? '—')
              )}
            </dd>
          </TenantFacts>
        </div>

        <section className="panel">
          <h2>Support access</h2>
          <p className="muted">
            See what this organisation&apos;s users see, read-only, once an owner or admin of it approves your request (at most an hour; every page you open is
            in its activity log).
          </p>
          <div className="form-actions">
            <Link className="button" href={`/support/${tenant.slug}`} aria-disabled={!active || undefined}>
              Support view
            </Link>
          </div>
        </section>

        <section className="panel">
          <h2>Move to another strategy</h2>
          <p className="muted">
            The rows are copied while the tenant keeps serving; then its requests wait for a moment (the write pause) while writes made during the copy are
            carried over and the catalog switches to the new placement. A move that fails before the switch leaves the tenant where it was.
          </p>
          <MoveTenantForm slug={tenant.slug} strategy={tenant.strategy} blocked={moveBlocked} />
        </section>

        <section className="panel">
          <h2>Export</h2>
          <p className="muted">
            Every row of the tenant, read from one snapshot, as an archive (.tar.gz) that <Link href="/tenants/restore">Restore</Link> takes back, here or in
            another deployment.
          </p>
          {exportError && (
            <p className="alert alert-error" role="alert">
              {exportError}
            </p>
          )}
          <form method="post" action="/api/tenants/export" className="form-actions">
            <input type="hidden" name="slug" value={tenant.slug} />
            <button className="button" type="submit" disabled={!active}>
              Download export
            </button>
          </form>
        </section>
      </div>
    </>
  );
}
