'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/tenants', label: 'Tenants', exact: true },
  { href: '/tenants/new', label: 'Create', exact: true },
  { href: '/tenants/restore', label: 'Restore', exact: true },
  { href: '/migrate', label: 'Migrate', exact: false },
  { href: '/servers', label: 'Servers', exact: false },
  { href: '/pools', label: 'Pools', exact: false },
  { href: '/audit', label: 'Audit', exact: false },
] as const;

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav className="nav" aria-label="Main">
      {LINKS.map((link) => {
        const active = link.exact ? pathname === link.href : pathname.startsWith(link.href);
        return (
          <Link key={link.href} href={link.href} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
