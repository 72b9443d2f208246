import type { Metadata } from 'next';
import Link from 'next/link';

import { EmptyState } from '@/components/empty-state';
import { RoleHint } from '@/components/role-hint';
import { canSeeActivity } from '@/lib/activity';
import { orgApiPath, orgPath } from '@/lib/org-path';
import { InvalidActivityCursorError, listActivity, type ActivityEntry } from '@/server/queries/activity';
import { listMembers } from '@/server/queries/members';
import { withTenantControlPlane, withTenantSession } from '@/server/tenant-data';

export const metadata: Metadata = { title: 'Activity' };

const PAGE_SIZE = 50;

/** Who did it, as the organisation knows them: a member's name, else what kind of actor it was. */
function actorLabel(entry: ActivityEntry, names: Map<string, string>): string {
  if (entry.actorKind === 'support') return `Support operator ${entry.actorId?.slice(0, 8) ?? ''}`.trim();
  if (entry.actorKind === 'system' || !entry.actorId) return 'System';
  if (entry.actorKind === 'api_key') return `API key ${entry.actorId.slice(0, 8)}`;
  return names.get(entry.actorId) ?? `Former member ${entry.actorId.slice(0, 8)}`;
}

function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

/**
 * The organisation's activity log, newest first, 50 a page: for owners and admins (the database returns no entry to
 * anyone else, whatever this page asks), with an NDJSON export of the whole log.
 */
export default async function ActivityPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug } = await params;
  const before = (await searchParams).before;
  const cursor = typeof before === 'string' ? before : undefined;
  const { page, session, invalidCursor } = await withTenantSession(slug, async (tx, session) => {
    try {
      return { page: await listActivity(tx, { cursor, limit: PAGE_SIZE }), session, invalidCursor: false };
    } catch (error) {
      if (!(error instanceof InvalidActivityCursorError)) throw error;
      return { page: { items: [], older: null }, session, invalidCursor: true };
    }
  });
  const names = new Map((await withTenantControlPlane(slug, (tx) => listMembers(tx))).map((m) => [m.userId, m.name]));
  const reader = canSeeActivity(session.role);
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Activity</h1>
          <p>Who did what in {session.active.tenantName}, and when: written in the same transaction as each change.</p>
        </div>
        {reader && (
          <a className="btn" href={orgApiPath(slug, '/activity')} download>
            Export (NDJSON)
          </a>
        )}
      </div>
      {!reader && (
        <div style={{ marginBottom: '1rem' }}>
          <RoleHint>Only owners and admins can see the activity log.</RoleHint>
        </div>
      )}
      {invalidCursor && (
        <p className="alert alert-error" role="alert">
          That page link is not valid any more. <Link href={orgPath(slug, '/activity')}>Start from the newest entries.</Link>
        </p>
      )}
      <div className="panel">
        {page.items.length === 0 ? (
          <EmptyState icon="◷" title="No activity" />
        ) : (
          <div className="table-scroll">
            <table className="table" aria-label="Activity">
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col" className="hide-narrow">
                    Details
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((entry) => (
                  <tr key={entry.id} data-id={entry.id} data-action={entry.action}>
                    <td>
                      <time dateTime={entry.createdAt.toISOString()}>{entry.createdAt.toISOString().slice(0, 19).replace('T', ' ')}</time>
                    </td>
                    <td>{actorLabel(entry, names)}</td>
                    <td>
                      <code>{entry.action}</code>
                    </td>
                    <td className="hide-narrow muted">{detailText(entry.detail)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <nav className="pager" aria-label="Activity pages" style={{ display: 'flex', gap: '0.5rem', marginTop: '1rem' }}>
        {cursor && (
          <Link className="btn" href={orgPath(slug, '/activity')}>
            Newest
          </Link>
        )}
        {page.older && (
          <Link className="btn" href={`${orgPath(slug, '/activity')}?before=${encodeURIComponent(page.older)}`}>
            Older
          </Link>
        )}
      </nav>
    </div>
  );
}
