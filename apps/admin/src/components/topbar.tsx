'use client';

import type { ReactNode } from 'react';

import { useFoldingMenu } from '@repo/ui/use-folding-menu';

/**
 * The console's bar: on a wide screen the brand, the navigation and the account in one row; on a narrow one (the
 * media query in globals.css) the brand and a Menu button, the rest folded away and unfolded over the page. The same
 * behaviour as apps/web's Sidebar: it closes on Escape, on a click outside it, and when a link in it changes the
 * page (useFoldingMenu of @repo/ui).
 */
export function Topbar({ brand, children }: { brand: ReactNode; children: ReactNode }) {
  const { open, ref, toggle } = useFoldingMenu<HTMLElement>();
  return (
    <header className="topbar" data-open={open || undefined} ref={ref}>
      {brand}
      <button type="button" className="button button-ghost topbar-toggle" aria-expanded={open} aria-controls="topbar-panel" onClick={toggle}>
        <span aria-hidden="true">☰</span> Menu
      </button>
      <div className="topbar-panel" id="topbar-panel">
        {children}
      </div>
    </header>
  );
}
