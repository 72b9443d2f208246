import Link from 'next/link';

/** A slug with no tenant (never created, already deleted, or not a slug at all): inside the console, with the way back. */
export default function TenantNotFound() {
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link href="/tenants">Tenants</Link> / unknown
          </p>
          <h1>Tenant not found</h1>
        </div>
      </div>
      <div className="panel">
        <p>No tenant has this slug. It may have been deleted already; the tenants table lists every tenant there is.</p>
        <div className="form-actions">
          <Link className="button button-primary" href="/tenants">
            Back to tenants
          </Link>
        </div>
      </div>
    </>
  );
}
