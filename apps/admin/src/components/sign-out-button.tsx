'use client';

import { signOut } from 'next-auth/react';
import { useState } from 'react';

import { useHydrated } from '@/lib/use-hydrated';

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  const ready = useHydrated();
  return (
    <button
      type="button"
      className="button button-ghost"
      disabled={pending}
      data-ready={ready || undefined}
      onClick={async () => {
        setPending(true);
        await signOut({ redirect: false }).catch(() => undefined);
        window.location.assign('/sign-in');
      }}
    >
      Sign out
    </button>
  );
}
