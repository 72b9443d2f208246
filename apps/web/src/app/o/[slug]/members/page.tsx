import type { Metadata } from 'next';

import { RoleBadge } from '@/components/badges';
import { EmptyState } from '@/components/empty-state';
import { initials } from '@/components/initials';
import { RoleHint } from '@/components/role-hint';
import { assignableRoles, canManageMembers, canRemoveMember } from '@/lib/permissions';
import { listInvitations, type PendingInvitation } from '@/server/queries/invitations';
import { listMembers } from '@/server/queries/members';
import { withTenantControlPlane } from '@/server/tenant-data';

import { InviteForm, RevokeInvitationForm } from './invite-form';
import { LeaveWorkspaceButton, RemoveMemberButton } from './member-buttons';
import { RoleForm } from './role-form';

export const metadata: Metadata = { title: 'Members' };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { members, invitations, session } = await withTenantControlPlane(slug, async (tx, session) => ({
    members: await listMembers(tx),
    // Only owners and admins may list invitations (public.tenant_invitations refuses anyone else).
    invitations: canManageMembers(session.role) ? await listInvitations(tx) : ([] as PendingInvitation[]),
    session,
  }));
  const manages = canManageMembers(session.role);
  const workspace = session.active.tenantName;
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Members</h1>
          <p>
            {members.length} {members.length === 1 ? 'person has' : 'people have'} access to {workspace}
          </p>
        </div>
        <LeaveWorkspaceButton workspace={workspace} />
      </div>
      {session.role !== 'owner' && (
        <div style={{ marginBottom: '1rem' }}>
          <RoleHint>
            {manages
              ? 'Only owners can change an owner’s role, make someone owner or remove an owner.'
              : 'Only owners and admins can change roles or remove members.'}
          </RoleHint>
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
                  <th scope="col" style={{ textAlign: manages ? 'right' : 'left' }}>
                    Role
                  </th>
                  {manages && (
                    <th scope="col" style={{ textAlign: 'right' }}>
                      <span className="sr-only">Remove</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {members.map((member) => {
                  const self = member.userId === session.user.id;
                  const roles = assignableRoles(session.role, member.role);
                  return (
                    <tr key={member.userId}>
                      <td>
                        <span className="member">
                          <span className="avatar" aria-hidden="true">
                            {initials(member.name)}
                          </span>
                          <span>
                            <span className="cell-title">{member.name}</span>
                            {self && <span className="badge">You</span>}
                            {/* On a narrow screen the email column is hidden and the address shows here. */}
                            <span className="cell-sub show-narrow">{member.email}</span>
                          </span>
                        </span>
                      </td>
                      <td className="muted wrap-anywhere hide-narrow">{member.email}</td>
                      <td style={{ textAlign: manages ? 'right' : 'left' }}>
                        {roles.length > 0 ? (
                          <RoleForm userId={member.userId} name={member.name} role={member.role} roles={roles} />
                        ) : (
                          <RoleBadge role={member.role} />
                        )}
                      </td>
                      {manages && (
                        <td style={{ textAlign: 'right' }}>
                          {/* Leaving is the header's button; removing oneself here would be the same with less warning. */}
                          {!self && canRemoveMember(session.role, member.role) && (
                            <RemoveMemberButton userId={member.userId} name={member.name} workspace={workspace} />
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {manages && (
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
