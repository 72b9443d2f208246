'use client';

import { useSession } from 'next-auth/react';
import { useState, useTransition } from 'react';

import { isConnectionFailure } from '@repo/ui/use-form-action';

/**
 * Switching the active workspace: asks next-auth to update the session (POST /api/auth/session); the server's jwt
 * callback re-checks the membership before it changes the cookie, so a forged tenant id changes nothing. `then` runs
 * once the cookie names the new workspace (navigate or refresh there). Used by the workspace menu and by the offer
 * on a link to another of the user's workspaces.
 */
export function useSwitchWorkspace() {
  const { update } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [switching, startSwitch] = useTransition();
  const switchTo = (tenantId: string, then: () => void) => {
    setError(null);
    startSwitch(async () => {
      let session: { claims?: { tenantId?: string } } | null | undefined;
      try {
        session = (await update({ tenantId })) as typeof session;
      } catch (failure) {
        setError(isConnectionFailure(failure) ? 'Could not reach the server. Check your connection and try again.' : 'Switching failed. Please try again.');
        return;
      }
      if (session?.claims?.tenantId !== tenantId) {
        setError('You are no longer a member of that workspace.');
        return;
      }
      then();
    });
  };
  return { switchTo, switching, error };
}
