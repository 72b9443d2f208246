'use client';

import { usePathname } from 'next/navigation';
import { useCallback, useRef, useState, type ReactNode } from 'react';

import { useDismiss } from '@repo/ui/use-dismiss';

/**
 * The console's bar: on a wide screen the brand, the navigation and the account in one row; on a narrow one (the
 * media query in globals.css) the brand and a Menu button, the rest folded away and unfolded over the page. The same
 * behaviour as apps/web's Sidebar: it closes on Escape, on a click outside it, and when a link in it changes the
 * page (it is open only for the path it was opened on, so no effect has to close it).
 */
export function Topbar({ brand, children }: { brand: ReactNode; children: ReactNode }) {
  const pathname = usePathname();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const ref = useRef<HTMLElement>(null);
  const close = useCallback(() => setOpenOn(null), []);
  useDismiss(ref, open, close);
  return (
    <header className="topbar" data-open={open || undefined} ref={ref}>
      {brand}
      <button
        type="button"
        className="button button-ghost topbar-toggle"
        aria-expanded={open}
        aria-controls="topbar-panel"
        onClick={() => setOpenOn(open ? null : pathname)}
      >
        <span aria-hidden="true">☰</span> Menu
      </button>
      <div className="topbar-panel" id="topbar-panel">
        {children}
      </div>
    </header>
  );
}
