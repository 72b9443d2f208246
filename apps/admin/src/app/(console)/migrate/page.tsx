import type { Metadata } from 'next';

import { MigrateRunner } from '@/components/migrate-runner';
import { listTenants } from '@/server/queries/catalog';
import { tenantMigrationTags } from '@/server/queries/migrations';
import { migrationInProgress } from '@/server/migrate';
import { requireOperator } from '@/server/session';

export const metadata: Metadata = { title: 'Migrate · Tenancy Operator Console' };

export default async function MigratePage() {
  await requireOperator();
  const [tenants, tags] = await Promise.all([listTenants(), Promise.resolve(tenantMigrationTags())]);
  const latest = tags.at(-1) ?? null;
  const behind = tenants.filter((t) => t.status === 'active' && t.schemaVersion !== latest);
  const running = migrationInProgress();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Migrate all</h1>
          <p className="muted">
            Applies the tenant-table migrations to the shared tables, the templates, then every tenant schema and database, a few at a time. A tenant that fails
            is reported and the rest go on; running again resumes where it stopped. With a canary, that many tenants go first, and the run stops there if one of
            them fails.
          </p>
        </div>
      </div>
      <section className="stats">
        <div className="stat">
          <span className="stat-label">Newest migration</span>
          <span className="stat-value small">
            <code>{latest ?? 'none'}</code>
          </span>
          <span className="stat-note">{tags.length} in the migrations folder</span>
        </div>
        <div className="stat">
          <span className="stat-label">Active tenants</span>
          <span className="stat-value">{tenants.filter((t) => t.status === 'active').length}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Behind</span>
          <span className={behind.length ? 'stat-value warn' : 'stat-value'}>{behind.length}</span>
          <span className="stat-note">{behind.length ? behind.map((t) => t.slug).join(', ') : 'every tenant is at the newest'}</span>
        </div>
      </section>
      {running && (
        <p className="alert alert-warn">
          A run started by {running.operator} is in progress since {new Date(running.since).toISOString().slice(11, 19)} UTC.
        </p>
      )}
      <MigrateRunner />
    </>
  );
}
