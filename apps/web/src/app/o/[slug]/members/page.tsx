import type { Metadata } from 'next';

import { RoleBadge } from '@/components/badges';
import { EmptyState } from '@/components/empty-state';
import { initials } from '@/components/initials';
import { RoleHint } from '@/components/role-hint';
import { listInvitations, type PendingInvitation } from '@/server/queries/invitations';
import { listMembers } from '@/server/queries/members';
import { withTenantControlPlane } from '@/server/tenant-data';

import { InviteForm, RevokeInvitationForm } from './invite-form';
import { RoleForm } from './role-form';

export const metadata: Metadata = { title: 'Members' };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { members, invitations, session } = await withTenantControlPlane(slug, async (tx, session) => ({
    members: await listMembers(tx),
    // Only admins may list invitations (public.tenant_invitations refuses anyone else).
    invitations: session.role === 'admin' ? await listInvitations(tx) : ([] as PendingInvitation[]),
    session,
  }));
  const isAdmin = session.role === 'admin';
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Members</h1>
          <p>
            {members.length} {members.length === 1 ? 'person has' : 'people have'} access to {session.active.tenantName}
          </p>
        </div>
      </div>
      {!isAdmin && (
        <div style={{ marginBottom: '1rem' }}>
          <RoleHint>Only admins can change roles.</RoleHint>
        </div>
      )}
      <div className="panel">
        {members.length === 0 ? (
          <EmptyState icon="◎" title="No members" />
        ) : (
          <div className="table-scroll">
            <table className="table" aria-label="Members">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="hide-narrow">
                    Email
                  </th>
                  <th scope="col" style={{ textAlign: isAdmin ? 'right' : 'left' }}>
                    Role
                  </th>
                </tr>
              </thead>
              <tbody>
                {members.map((member) => (
                  <tr key={member.userId}>
                    <td>
                      <span className="member">
                        <span className="avatar" aria-hidden="true">
                          {initials(member.name)}
                        </span>
                        <span>
                          <span className="cell-title">{member.name}</span>
                          {member.userId === session.user.id && <span className="badge">You</span>}
                          {/* On a narrow screen the email column is hidden and the address shows here. */}
                          <span className="cell-sub show-narrow">{member.email}</span>
                        </span>
                      </span>
                    </td>
                    <td className="muted wrap-anywhere hide-narrow">{member.email}</td>
                    <td style={{ textAlign: isAdmin ? 'right' : 'left' }}>
                      {isAdmin ? <RoleForm userId={member.userId} name={member.name} role={member.role} /> : <RoleBadge role={member.role} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {isAdmin && (
        <div className="panel" style={{ marginTop: '1rem', padding: '1rem' }}>
          <h2 style={{ fontSize: '1rem', marginTop: 0 }}>Invite someone</h2>
          <p className="muted">They get a link by email that works once, for 7 days, and only for that address.</p>
          <InviteForm />
          {invitations.length > 0 && (
            <div className="table-scroll" style={{ marginTop: '1rem' }}>
              <table className="table" aria-label="Pending invitations">
                <thead>
                  <tr>
                    <th scope="col">Invited</th>
                    <th scope="col">Role</th>
                    <th scope="col" style={{ textAlign: 'right' }}>
                      <span className="sr-only">Revoke</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.map((invitation) => (
                    <tr key={invitation.id}>
                      <td className="wrap-anywhere">{invitation.email}</td>
                      <td>{invitation.role}</td>
                      <td style={{ textAlign: 'right' }}>
                        <RevokeInvitationForm invitationId={invitation.id} email={invitation.email} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
