/** Placeholders while server data streams in (loading.tsx files and Suspense fallbacks). */
export function TableSkeleton({ rows = 5, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div className="panel" style={{ padding: '0.5rem 0' }} aria-busy="true" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <span key={i} className="skeleton skeleton-row" />
      ))}
    </div>
  );
}

export function PageSkeleton({ rows = 5 }: { rows?: number }) {
  return (
    <div className="page" aria-busy="true" aria-label="Loading page">
      <div className="page-header">
        <div>
          <span className="skeleton skeleton-title" />
          <span className="skeleton skeleton-text" />
        </div>
      </div>
      <TableSkeleton rows={rows} />
    </div>
  );
}
