import type { Session } from 'next-auth';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';

import { NavLink } from '@/components/nav-link';
import { Providers } from '@/components/session-provider';
import { Sidebar } from '@/components/sidebar';
import { TenantSwitcher } from '@/components/tenant-switcher';
import { UserMenu } from '@/components/user-menu';
import { requireSession } from '@/server/session';

export default async function AppLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  if (!session.active) redirect('/no-workspace');
  const { user, active, memberships } = session;
  // What the browser's next-auth context needs to call update(); the real session stays in the cookie.
  const clientSession: Session & { claims: { tenantId: string } } = {
    user: { name: user.name, email: user.email },
    // A server component renders once per request, so reading the clock here is not the impurity the rule guards against.
    // eslint-disable-next-line react-hooks/purity
    expires: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
    claims: { tenantId: active.tenantId },
  };
  const tenants = memberships.map((m) => ({ id: m.tenantId, name: m.tenantName, role: m.role }));
  return (
    <Providers session={clientSession}>
      <div className="app">
        <Sidebar
          brand={
            <Link href="/projects" className="brand">
              <span className="mark mark-sm" aria-hidden="true">
                T
              </span>
              Tenancy Starter
            </Link>
          }
        >
          <TenantSwitcher active={{ id: active.tenantId, name: active.tenantName, role: active.role }} tenants={tenants} />
          <nav className="nav" aria-label="Main">
            <p className="nav-label">Workspace</p>
            <NavLink href="/projects" icon="▦">
              Projects
            </NavLink>
            <NavLink href="/members" icon="◎">
              Members
            </NavLink>
          </nav>
          <div className="sidebar-footer">
            <UserMenu name={user.name} email={user.email} />
          </div>
        </Sidebar>
        <main className="main">{children}</main>
      </div>
    </Providers>
  );
}
