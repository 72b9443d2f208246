'use client';

import { ConfirmForm } from '@/components/confirm-form';

import { revokeApiKeyAction } from './actions';

export function RevokeKeyForm({ keyId, name }: { keyId: string; name: string }) {
  return (
    <ConfirmForm
      action={revokeApiKeyAction}
      fields={{ keyId }}
      confirm={`Revoke the key "${name}"? Programs using it stop working at once.`}
      size="sm"
      pendingLabel="Revoking…"
    >
      Revoke<span className="sr-only"> {name}</span>
    </ConfirmForm>
  );
}
