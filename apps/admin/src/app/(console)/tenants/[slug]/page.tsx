import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { SLUG_PATTERN } from '@repo/tenancy/slug';

import { ChangePlanForm } from '@/components/change-plan-form';
import { MoveServerForm } from '@/components/move-server-form';
import { MoveTenantForm } from '@/components/move-tenant-form';
import { PlanBadge } from '@/components/plan-badge';
import { TenantFacts } from '@/components/tenant-facts';
import { formatCount } from '@/lib/format';
import { EXPORT_REFUSALS, type ExportRefusal } from '@/server/export';
import { findTenant } from '@/server/queries/catalog';
import { tenantMigrationTags } from '@/server/queries/migrations';
import { tenantPlanStatus } from '@/server/queries/plans';
import { tenantRows, type TenantRows } from '@/server/queries/tenant-rows';
import { serverChoices } from '@/server/servers';
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
  const [plan, servers] = await Promise.all([tenantPlanStatus(tenant), serverChoices()]);
  const latest = tenantMigrationTags().at(-1) ?? null;
  // A plan change is a move, or (to where the tenant already is) the cleanup of one: a `moving` tenant is one whose
  // move died in its pause, which the change finishes.
  const planBlocked =
    tenant.status !== 'active' && tenant.status !== 'moving'
      ? `The tenant is ${tenant.status}, not active: its plan cannot change until that finishes.`
      : tenant.schemaVersion !== latest
        ? `The tenant is at schema version ${tenant.schemaVersion ?? 'none'}, not the newest (${latest ?? 'none'}): run Migrate all first.`
        : undefined;
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
            <dt>Plan</dt>
            <dd>
              <PlanBadge status={plan} />
            </dd>
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

        <section className="panel" data-testid="plan-panel">
          <h2>Plan</h2>
          <p className="muted">
            Each plan places the tenant: free in the shared tables (rls), business in a schema of its own, enterprise in a database of its own. Changing the
            plan moves the tenant there online, as a move does: its users notice only the write pause, reported at the end. A change that stops half-way stays
            pending, and the tenant keeps serving from where it is until it is finished here.
          </p>
          <ChangePlanForm
            slug={tenant.slug}
            strategy={tenant.strategy}
            facts={{ plan: plan.plan, pendingPlan: plan.pendingPlan, expected: plan.expected, matches: plan.matches, placementPlan: plan.placementPlan }}
            blocked={planBlocked}
          />
        </section>

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
            carried over and the catalog switches to the new placement. A move that fails before the switch leaves the tenant where it was. A move leaves the
            plan as it is: the Plan panel then shows that the two differ.
          </p>
          <MoveTenantForm slug={tenant.slug} strategy={tenant.strategy} blocked={moveBlocked} />
        </section>

        <section className="panel" data-testid="server-panel">
          <h2>Move to another server</h2>
          <p className="muted">
            The same online move, to another PostgreSQL server of this deployment (see <Link href="/servers">Servers</Link>): copied while it serves, then a
            short write pause and the switch. A schema or database tenant keeps its strategy unless you choose another; an rls tenant takes a schema or a
            database of its own there.
          </p>
          <MoveServerForm slug={tenant.slug} strategy={tenant.strategy} server={tenant.server} servers={servers} blocked={moveBlocked} />
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
