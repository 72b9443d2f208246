export default function HomePage() {
  return (
    <main className="shell">
      <section className="card" aria-labelledby="home-title">
        <span className="mark" aria-hidden="true">
          T
        </span>
        <h1 id="home-title">Tenancy Starter</h1>
        <p className="lead">Sign in to your workspace</p>
        <p className="note">Each workspace keeps its data apart from every other one.</p>
      </section>
    </main>
  );
}
