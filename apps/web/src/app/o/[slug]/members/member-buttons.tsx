'use client';

import { ConfirmForm } from '@/components/confirm-form';

import { leaveWorkspaceAction, removeMemberAction } from './actions';

// Client wrappers: the confirmation texts name the member or the workspace, and the server actions stay in actions.ts.

export function RemoveMemberButton({ userId, name, workspace }: { userId: string; name: string; workspace: string }) {
  return (
    <ConfirmForm
      action={removeMemberAction}
      fields={{ userId }}
      confirm={`Remove ${name} from ${workspace}? They are signed out at once.`}
      pendingLabel="Removing…"
      size="sm"
      label={`Remove ${name}`}
    >
      Remove
    </ConfirmForm>
  );
}

export function LeaveWorkspaceButton({ workspace }: { workspace: string }) {
  return (
    <ConfirmForm
      action={leaveWorkspaceAction}
      fields={{}}
      confirm={`Leave ${workspace}? You lose access to it and are signed out.`}
      pendingLabel="Leaving…"
      size="sm"
    >
      Leave workspace
    </ConfirmForm>
  );
}
