import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { SLUG_PATTERN } from '@repo/tenancy/slug';

import { SupportBanner } from '@/components/support-banner';
import { SupportRequestForm } from '@/components/support-request-form';
import { findTenant } from '@/server/queries/catalog';
import { requireOperator } from '@/server/session';
import { supportProjects, supportStatus, withSupportAccess } from '@/server/support';

import { requestSupportAction } from './actions';

export const metadata: Metadata = { title: 'Support view · Tenancy Operator Console' };

const STATE_TEXT = {
  none: 'You have no access to this organisation.',
  pending: 'Your request is waiting for an owner or admin of the organisation.',
  expired: 'Your last access has ended.',
  revoked: 'The organisation ended (or declined) your last access.',
  active: '',
} as const;

/**
 * The support view of one organisation: its projects as its users see them, under a grant the database checks (and
 * logs) in the transaction of the read. Without a grant: where the operator's request stands, and a form to ask.
 */
export default async function SupportPage({ params }: { params: Promise<{ slug: string }> }) {
  const operator = await requireOperator();
  const { slug } = await params;
  const tenant = SLUG_PATTERN.test(slug) ? await findTenant(slug) : null;
  if (!tenant || tenant.status !== 'active') notFound();
  const view = await withSupportAccess(tenant.slug, `/support/${tenant.slug}`, operator, supportProjects);

  if (!view) {
    const status = await supportStatus(tenant.slug, operator);
    return (
      <>
        <div className="page-head">
          <div>
            <p className="crumbs">
              <Link href="/tenants">Tenants</Link> / <Link href={`/tenants/${tenant.slug}`}>{tenant.slug}</Link> / support
            </p>
            <h1>Support access to {tenant.name}</h1>
          </div>
        </div>
        <section className="panel">
          <p data-testid="support-state" data-state={status.state}>
            {STATE_TEXT[status.state]}
            {status.reason && <span className="muted"> Reason given: {status.reason}</span>}
          </p>
          <p className="muted">
            An owner or admin of the organisation approves a request in the web app for at most an hour, and can end it at any time. Access is read-only, and
            every page opened under it is written to the organisation&apos;s activity log.
          </p>
          {status.state !== 'pending' && <SupportRequestForm slug={tenant.slug} action={requestSupportAction} />}
        </section>
      </>
    );
  }

  return (
    <>
      <SupportBanner name={tenant.name} slug={tenant.slug} endsAt={view.endsAt} minutesLeft={view.minutesLeft} />
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link href="/tenants">Tenants</Link> / <Link href={`/tenants/${tenant.slug}`}>{tenant.slug}</Link> / support
          </p>
          <h1>{tenant.name}: projects</h1>
        </div>
      </div>
      <section className="panel">
        {view.data.length === 0 ? (
          <p className="muted">No projects.</p>
        ) : (
          <table className="table" data-testid="support-projects">
            <thead>
              <tr>
                <th>Project</th>
                <th>Tasks</th>
                <th>Open</th>
              </tr>
            </thead>
            <tbody>
              {view.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link href={`/support/${tenant.slug}/projects/${p.id}`}>{p.name}</Link>
                    {p.description && <div className="muted">{p.description}</div>}
                  </td>
                  <td>{p.taskCount}</td>
                  <td>{p.openCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
