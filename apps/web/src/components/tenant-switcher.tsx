'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useRef, useState } from 'react';

import { ROLE_LABEL } from './badges';
import { initials } from './initials';
import { useDismiss } from '@repo/ui/use-dismiss';
import { useSwitchWorkspace } from './use-switch-workspace';
import type { MembershipRole } from '@/server/auth/types';

export interface TenantOption {
  id: string;
  name: string;
  role: MembershipRole;
}

/** The active workspace and the others the user belongs to; choosing one switches (useSwitchWorkspace). */
export function TenantSwitcher({ active, tenants }: { active: TenantOption; tenants: TenantOption[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const { switchTo, switching, error } = useSwitchWorkspace();
  const ref = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);

  const choose = (tenant: TenantOption) => {
    if (tenant.id === active.id) return setOpen(false);
    switchTo(tenant.id, () => {
      setOpen(false);
      router.push('/projects');
      router.refresh();
    });
  };

  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className="menu-trigger"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Workspace: ${active.name}, ${ROLE_LABEL[active.role]}. Switch workspace`}
        data-testid="tenant-switcher"
        onClick={() => setOpen((value) => !value)}
      >
        <span className="avatar avatar-tenant" aria-hidden="true">
          {initials(active.name)}
        </span>
        <span className="menu-text">
          <strong>{active.name}</strong>
          <small>{ROLE_LABEL[active.role]}</small>
        </span>
        {switching ? (
          <span className="spinner" aria-label="Switching" />
        ) : (
          <span className="chevron" aria-hidden="true">
            ▾
          </span>
        )}
      </button>
      {open && (
        <div className="menu-list" role="menu" aria-label="Workspaces">
          <div className="menu-heading">Workspaces</div>
          {tenants.map((tenant) => (
            <button
              key={tenant.id}
              type="button"
              role="menuitemradio"
              aria-checked={tenant.id === active.id}
              className="menu-item"
              disabled={switching}
              onClick={() => choose(tenant)}
            >
              <span>{tenant.name}</span>
              <span className="muted">
                {tenant.id === active.id ? '✓ ' : ''}
                {ROLE_LABEL[tenant.role]}
              </span>
            </button>
          ))}
          {error && (
            <div className="menu-error" role="alert">
              {error}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
