'use client';

import { useEffect } from 'react';

import { useOrgSlug } from '@/components/use-org-action';
import { orgPath } from '@/lib/org-path';

/**
 * A failure while rendering a page of the app. Production builds never send the error's text to the browser. A
 * server failure carries a digest: the server logged the cause (src/instrumentation.ts, onRequestError) under
 * that reference. Without one the failure happened in the browser (a connection that dropped while loading the
 * page, say), which the server never saw: then the page says so instead of claiming it was logged.
 */
export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const slug = useOrgSlug();
  useEffect(() => {
    console.error('page error', error.digest ?? '');
  }, [error]);
  return (
    <div className="page">
      <div className="panel">
        <div className="empty" role="alert">
          <span className="empty-icon" aria-hidden="true">
            !
          </span>
          <h3>Something went wrong</h3>
          <p>
            {error.digest
              ? 'We could not load this page. The problem has been logged; please try again.'
              : 'We could not load this page. If your connection dropped, check it and try again.'}
          </p>
          {error.digest && <p className="muted">Reference: {error.digest}</p>}
          <div className="form-actions" style={{ marginTop: '0.75rem' }}>
            <button type="button" className="btn btn-primary" onClick={reset}>
              Try again
            </button>
            {/* A full page load on purpose: whatever broke this render is not reused by a client-side navigation. */}
            <a className="btn" href={orgPath(slug, '/projects')}>
              Back to projects
            </a>
          </div>
        </div>
      </div>
    </div>
  );
}
