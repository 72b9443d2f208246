'use client';

import type { ReactNode } from 'react';

import { useFoldingMenu } from '@repo/ui/use-folding-menu';

/**
 * The app's navigation. On a wide screen a column beside the content, always open; on a narrow one (the media
 * query in globals.css) a bar with the brand and a Menu button, the rest folded away so the content starts at the
 * top. The menu closes on Escape, on a click outside it, and when a link in it changes the page: it is open only
 * for the path it was opened on, so no effect has to close it.
 */
export function Sidebar({ brand, children }: { brand: ReactNode; children: ReactNode }) {
  const { open, ref, toggle } = useFoldingMenu<HTMLElement>();
  return (
    <aside className="sidebar" data-open={open || undefined} ref={ref}>
      <div className="sidebar-bar">
        {brand}
        <button type="button" className="btn btn-ghost sidebar-toggle" aria-expanded={open} aria-controls="sidebar-panel" onClick={toggle}>
          <span aria-hidden="true">☰</span> Menu
        </button>
      </div>
      <div className="sidebar-panel" id="sidebar-panel">
        {children}
      </div>
    </aside>
  );
}
