import Link from 'next/link';

// Also what another organisation's address answers (/o/<slug>/...: src/server/session.ts), word for word the same as an
// organisation that does not exist: so it names no workspace.
export default function NotFound() {
  return (
    <main className="shell">
      <section className="card card-centered">
        <span className="mark" aria-hidden="true">
          ?
        </span>
        <h1>Page not found</h1>
        <p className="lead">There is nothing at this address in your workspace.</p>
        <p style={{ marginTop: '1.5rem' }}>
          <Link className="btn btn-primary" href="/">
            Go to projects
          </Link>
        </p>
      </section>
    </main>
  );
}
