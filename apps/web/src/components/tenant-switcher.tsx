'use client';

import Link from 'next/link';
import { useCallback, useRef, useState } from 'react';

import { orgPath } from '@/lib/org-path';
import type { MembershipRole } from '@/server/auth/types';
import { useDismiss } from '@repo/ui/use-dismiss';

import { ROLE_LABEL } from './badges';
import { initials } from './initials';

export interface TenantOption {
  slug: string;
  name: string;
  role: MembershipRole;
}

/**
 * The workspace of this page and the others the user belongs to, each a plain link to its projects (/o/<slug>/projects):
 * the workspace is the address's, so another one opens in this tab, or in a new one, while this one stays as it is.
 */
export function TenantSwitcher({ active, tenants }: { active: TenantOption; tenants: TenantOption[] }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);

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
        <span className="chevron" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && (
        <div className="menu-list" role="menu" aria-label="Workspaces">
          <div className="menu-heading">Workspaces</div>
          {tenants.map((tenant) => (
            <Link
              key={tenant.slug}
              href={orgPath(tenant.slug, '/projects')}
              role="menuitemradio"
              aria-checked={tenant.slug === active.slug}
              className="menu-item"
              onClick={close}
            >
              <span>{tenant.name}</span>
              <span className="muted">
                {tenant.slug === active.slug ? '✓ ' : ''}
                {ROLE_LABEL[tenant.role]}
              </span>
            </Link>
          ))}
        </div>
      )}
    </div>
  );
}
