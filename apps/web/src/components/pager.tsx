import Link from 'next/link';

/**
 * Where a page of a list is, and the way to its neighbours: "Showing 51–100 of 105", Previous page, Next page. The
 * links are cursors (src/server/queries/cursor.ts), so the list has no page numbers to jump to. Nothing when the
 * whole list fits on one page.
 */
export function Pager({ from, to, total, prevHref, nextHref }: { from: number; to: number; total: number; prevHref: string | null; nextHref: string | null }) {
  if (!prevHref && !nextHref) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <span className="muted">{to >= from ? `Showing ${from}–${to} of ${total}` : `Nothing more of ${total}`}</span>
      <span className="pager-links">
        {prevHref && (
          <Link className="btn btn-sm" href={prevHref} rel="prev">
            <span aria-hidden="true">←</span> Previous page
          </Link>
        )}
        {nextHref && (
          <Link className="btn btn-sm" href={nextHref} rel="next">
            Next page <span aria-hidden="true">→</span>
          </Link>
        )}
      </span>
    </nav>
  );
}
