'use client';

// The last resort, when even the root layout failed. A digest means the server logged the cause (onRequestError);
// without one the failure happened in the browser (see o/[slug]/error.tsx).
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', display: 'grid', placeItems: 'center', minHeight: '100vh', margin: 0 }}>
        <main style={{ textAlign: 'center', maxWidth: '28rem', padding: '2rem' }}>
          <h1>Something went wrong</h1>
          <p>{error.digest ? 'The problem has been logged. Please try again.' : 'If your connection dropped, check it and try again.'}</p>
          {error.digest && <p style={{ color: '#6b7280' }}>Reference: {error.digest}</p>}
          <button type="button" onClick={reset}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
