import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { SLUG_PATTERN } from '@repo/tenancy/slug';

import { SupportBanner } from '@/components/support-banner';
import { findTenant } from '@/server/queries/catalog';
import { requireOperator } from '@/server/session';
import { supportProject, withSupportAccess } from '@/server/support';

export const metadata: Metadata = { title: 'Support view · Tenancy Operator Console' };

/** One project of the organisation with its tasks, under the operator's grant (checked and logged with the read). */
export default async function SupportProjectPage({ params }: { params: Promise<{ slug: string; projectId: string }> }) {
  const operator = await requireOperator();
  const { slug, projectId } = await params;
  const tenant = SLUG_PATTERN.test(slug) ? await findTenant(slug) : null;
  if (!tenant || tenant.status !== 'active') notFound();
  const view = await withSupportAccess(tenant.slug, `/support/${tenant.slug}/projects/${projectId}`, operator, (tx) => supportProject(tx, projectId));
  // No grant (any more): the support page says where the request stands.
  if (!view) redirect(`/support/${tenant.slug}`);
  if (!view.data) notFound();
  const { project, tasks } = view.data;
  return (
    <>
      <SupportBanner name={tenant.name} slug={tenant.slug} endsAt={view.endsAt} minutesLeft={view.minutesLeft} />
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link href={`/support/${tenant.slug}`}>{tenant.slug}: projects</Link> / {project.name}
          </p>
          <h1>{project.name}</h1>
          {project.description && <p className="muted">{project.description}</p>}
        </div>
      </div>
      <section className="panel">
        <table className="table" data-testid="support-tasks">
          <thead>
            <tr>
              <th>Task</th>
              <th>Status</th>
              <th>Due</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((t) => (
              <tr key={t.id}>
                <td>{t.title}</td>
                <td>{t.status}</td>
                <td>{t.dueDate ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
