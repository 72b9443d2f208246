import Link from 'next/link';
import type { ReactNode } from 'react';

import { NavLink } from '@/components/nav-link';
import { Sidebar } from '@/components/sidebar';
import { TenantSwitcher } from '@/components/tenant-switcher';
import { UserMenu } from '@/components/user-menu';
import { orgPath } from '@/lib/org-path';
import { requireOrgSession } from '@/server/session';

// Every page of an organisation: /o/<slug>/... The slug must name one of the user's memberships, else 404 (the same for
// an organisation that does not exist). A layout is not re-rendered on every navigation, so each page, action and route
// handler checks again (src/server/tenant-data.ts, src/server/action.ts, src/server/org-route.ts).
export default async function OrgLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { user, active, memberships } = await requireOrgSession(slug);
  const tenants = memberships.map((m) => ({ slug: m.tenantSlug, name: m.tenantName, role: m.role }));
  const projects = orgPath(active.tenantSlug, '/projects');
  return (
    <div className="app">
      <Sidebar
        brand={
          <Link href={projects} className="brand">
            <span className="mark mark-sm" aria-hidden="true">
              T
            </span>
            Tenancy Starter
          </Link>
        }
      >
        <TenantSwitcher active={{ slug: active.tenantSlug, name: active.tenantName, role: active.role }} tenants={tenants} />
        <nav className="nav" aria-label="Main">
          <p className="nav-label">Workspace</p>
          <NavLink href={projects} icon="▦">
            Projects
          </NavLink>
          <NavLink href={orgPath(active.tenantSlug, '/members')} icon="◎">
            Members
          </NavLink>
        </nav>
        <div className="sidebar-footer">
          <UserMenu name={user.name} email={user.email} />
        </div>
      </Sidebar>
      <main className="main">{children}</main>
    </div>
  );
}
