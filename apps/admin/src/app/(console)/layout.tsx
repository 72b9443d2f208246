import type { ReactNode } from 'react';

import { NavLinks } from '@/components/nav-links';
import { SignOutButton } from '@/components/sign-out-button';
import { Topbar } from '@/components/topbar';
import { requireOperator } from '@/server/session';

// Every page of the console: the operator is checked here (and again by each page's data and actions).
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const operator = await requireOperator();
  return (
    <>
      <Topbar
        brand={
          <>
            <span className="brand">Tenancy</span>
            <span className="badge">Operator</span>
          </>
        }
      >
        <NavLinks />
        <span className="spacer" />
        <span className="whoami" title={operator.email}>
          {operator.name}
        </span>
        <SignOutButton />
      </Topbar>
      <main className="content">{children}</main>
    </>
  );
}
