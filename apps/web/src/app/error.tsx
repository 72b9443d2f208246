'use client';

// Errors outside the app shell (sign-in page, no-workspace page). A digest means the server logged the cause;
// without one the failure happened in the browser, which the server never saw (see o/[slug]/error.tsx).
export default function RootError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="shell">
      <section className="card card-centered" role="alert">
        <span className="mark" aria-hidden="true">
          !
        </span>
        <h1>Something went wrong</h1>
        <p className="lead">
          {error.digest ? 'The problem has been logged. Please try again in a moment.' : 'If your connection dropped, check it and try again.'}
        </p>
        {error.digest && <p className="note">Reference: {error.digest}</p>}
        <p style={{ marginTop: '1.25rem' }}>
          <button type="button" className="btn btn-primary" onClick={reset}>
            Try again
          </button>
        </p>
      </section>
    </main>
  );
}
