import type { Metadata } from 'next';

import { ConfirmForm } from '@/components/confirm-form';
import { EmptyState } from '@/components/empty-state';
import { RoleHint } from '@/components/role-hint';
import { canSeeActivity } from '@/lib/activity';
import { listSupportAccess, type SupportAccessState } from '@/server/queries/support-access';
import { withTenantSession } from '@/server/tenant-data';

import { revokeSupportAction } from './actions';
import { ApproveForm } from './approve-form';

export const metadata: Metadata = { title: 'Support access' };

const STATE_LABEL: Record<SupportAccessState, string> = {
  pending: 'Waiting for approval',
  active: 'Active',
  expired: 'Ended',
  revoked: 'Revoked',
};

/**
 * Support operators' requests to see this organisation's data: owners and admins approve one for up to an hour, and
 * end it at any time. Every page an operator opens under it is in the activity log.
 */
export default async function SupportPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { grants, session } = await withTenantSession(slug, async (tx, session) => ({ grants: await listSupportAccess(tx), session }));
  const answerer = canSeeActivity(session.role);
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Support access</h1>
          <p>
            Support staff see {session.active.tenantName}&apos;s data read-only, only while you allow it (at most an hour), and every page they open is in the
            activity log.
          </p>
        </div>
      </div>
      {!answerer && (
        <div style={{ marginBottom: '1rem' }}>
          <RoleHint>Only owners and admins can see and answer support requests.</RoleHint>
        </div>
      )}
      <div className="panel">
        {grants.length === 0 ? (
          <EmptyState icon="⚑" title="No support requests" />
        ) : (
          <div className="table-scroll">
            <table className="table" aria-label="Support requests">
              <thead>
                <tr>
                  <th scope="col">Operator</th>
                  <th scope="col">Reason</th>
                  <th scope="col">State</th>
                  <th scope="col" style={{ textAlign: 'right' }}>
                    Action
                  </th>
                </tr>
              </thead>
              <tbody>
                {grants.map((g) => (
                  <tr key={g.id} data-state={g.state}>
                    <td>{g.operatorEmail}</td>
                    <td>{g.reason}</td>
                    <td>
                      {STATE_LABEL[g.state]}
                      {g.state === 'active' && g.expiresAt && <span className="muted"> until {g.expiresAt.toISOString().slice(11, 16)} UTC</span>}
                    </td>
                    <td style={{ textAlign: 'right' }}>
                      {g.state === 'pending' && <ApproveForm id={g.id} operator={g.operatorEmail} />}
                      {(g.state === 'pending' || g.state === 'active') && (
                        <ConfirmForm action={revokeSupportAction} fields={{ id: g.id }} confirm={`End support access for ${g.operatorEmail}?`} size="sm">
                          {g.state === 'pending' ? 'Decline' : 'Revoke'}
                        </ConfirmForm>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  );
}
