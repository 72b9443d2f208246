const AREAS = [
  { title: 'Tenants', text: 'Create, suspend and remove workspaces.' },
  { title: 'Isolation', text: 'Row-level security, a schema or a database per tenant.' },
  { title: 'Migrations', text: 'Roll schema changes out to every tenant.' },
] as const;

export default function HomePage() {
  return (
    <>
      <header className="topbar">
        <span className="brand">Tenancy</span>
        <span className="badge">Operator</span>
      </header>
      <main className="content">
        <h1>Tenancy Operator Console</h1>
        <p className="lead">Sign in with an operator account to manage tenants.</p>
        <ul className="areas">
          {AREAS.map((area) => (
            <li key={area.title}>
              <h2>{area.title}</h2>
              <p>{area.text}</p>
            </li>
          ))}
        </ul>
      </main>
    </>
  );
}
