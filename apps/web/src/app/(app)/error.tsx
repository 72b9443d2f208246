'use client';

import { useEffect } from 'react';

/**
 * A failure while rendering a page of the app. The message shown is always this one: the server logged the
 * cause (src/instrumentation.ts, onRequestError) under the same reference, and production builds never send
 * the error's text to the browser.
 */
export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
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
          <p>We could not load this page. The problem has been logged; please try again.</p>
          {error.digest && <p className="muted">Reference: {error.digest}</p>}
          <div className="form-actions" style={{ marginTop: '0.75rem' }}>
            <button type="button" className="btn btn-primary" onClick={reset}>
              Try again
            </button>
            <a className="btn" href="/projects">
              Back to projects
            </a>
          </div>
        </div>
      </div>
    </div>
  );
}
