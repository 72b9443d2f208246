'use client';

import { signOut } from 'next-auth/react';
import { useCallback, useRef, useState } from 'react';

import { initials } from './initials';
import { useDismiss } from '@repo/ui/use-dismiss';

export function UserMenu({ name, email }: { name: string; email: string }) {
  const [open, setOpen] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);
  return (
    <div className="menu" ref={ref}>
      {open && (
        <div className="menu-list menu-up" role="menu" aria-label="Account">
          <div className="menu-heading">{email}</div>
          <a role="menuitem" className="menu-item" href="/account">
            Your account
          </a>
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            disabled={leaving}
            onClick={() => {
              setLeaving(true);
              void signOut({ callbackUrl: '/sign-in' });
            }}
          >
            {leaving ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      )}
      <button
        type="button"
        className="menu-trigger"
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="user-menu"
        onClick={() => setOpen((value) => !value)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(name)}
        </span>
        <span className="menu-text">
          <strong>{name}</strong>
          <small>{email}</small>
        </span>
        <span className="chevron" aria-hidden="true">
          ▴
        </span>
      </button>
    </div>
  );
}
