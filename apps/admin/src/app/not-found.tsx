import Link from 'next/link';

// The console's own not-found page: Next's built-in one carries an inline <style> without the Content-Security-Policy
// nonce, which the policy refuses.
export default function NotFound() {
  return (
    <main className="signin">
      <div className="panel signin-panel">
        <h1>Page not found</h1>
        <p className="muted">There is nothing at this address in the operator console.</p>
        <Link className="button button-primary" href="/tenants">
          Go to the tenants
        </Link>
      </div>
    </main>
  );
}
