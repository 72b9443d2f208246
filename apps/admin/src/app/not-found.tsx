import Link from 'next/link';

// Any address that is not a page of the console, in the console's own look. Next's built-in page would also carry an
// inline <style> without the Content-Security-Policy nonce, which the policy refuses.
export default function NotFound() {
  return (
    <>
      <header className="topbar">
        <span className="brand">Tenancy</span>
        <span className="badge">Operator</span>
      </header>
      <main className="signin">
        <div className="panel signin-panel">
          <h1>Page not found</h1>
          <p className="muted">There is no page of the operator console at this address.</p>
          <div className="form-actions">
            <Link className="button button-primary" href="/tenants">
              Back to tenants
            </Link>
          </div>
        </div>
      </main>
    </>
  );
}
