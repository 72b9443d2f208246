'use client';

// Errors outside the app shell (sign-in page, no-workspace page). The cause is in the server log.
export default function RootError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="shell">
      <section className="card card-centered" role="alert">
        <span className="mark" aria-hidden="true">
          !
        </span>
        <h1>Something went wrong</h1>
        <p className="lead">The problem has been logged. Please try again in a moment.</p>
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
