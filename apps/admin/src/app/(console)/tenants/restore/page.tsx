import type { Metadata } from 'next';
import Link from 'next/link';

import { ArchiveUpload } from '@/components/archive-upload';
import { RestoreTenantForm, type RestoreDefaults } from '@/components/restore-tenant-form';
import { serverEnv } from '@/env';
import { formatBytes, formatCount, formatDate } from '@/lib/format';
import { listArchives, type ArchiveSource } from '@/server/archive-files';
import { findTenant, findTenantById } from '@/server/queries/catalog';
import { inspectArchive } from '@/server/restore';
import { requireOperator } from '@/server/session';
import { restoreTenantAction } from './actions';

export const metadata: Metadata = { title: 'Restore tenant · Tenancy Operator Console' };

type SearchParams = Record<string, string | string[] | undefined>;

/** ?upload=<name> (just uploaded) or ?archive=<name> (in ARCHIVE_DIR): the archive to restore, once chosen. */
function chosen(params: SearchParams): { source: ArchiveSource; name: string } | null {
  for (const source of ['upload', 'archive'] as const) {
    const name = params[source];
    if (typeof name === 'string' && name) return { source, name };
  }
  return null;
}

export default async function RestoreTenantPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireOperator();
  const choice = chosen(await searchParams);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link href="/tenants">Tenants</Link> / restore
          </p>
          <h1>Restore tenant</h1>
          <p className="muted">
            A tenant from an archive: one downloaded with Download export, or written by a delete. Nothing is created unless all of it loads.
          </p>
        </div>
      </div>
      {choice ? <Chosen source={choice.source} name={choice.name} /> : <Choose />}
    </>
  );
}

async function Choose() {
  const archives = await listArchives();
  return (
    <div className="stack">
      <section className="panel">
        <h2>Upload an archive</h2>
        <ArchiveUpload />
      </section>
      <section className="panel table-panel">
        <h2 className="panel-title">
          Archives in <code>{serverEnv().ARCHIVE_DIR}</code>
        </h2>
        <table className="table" data-testid="archives-table">
          <thead>
            <tr>
              <th>Archive</th>
              <th className="num">Size</th>
              <th>Written</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {archives.map((archive) => (
              <tr key={archive.name} data-archive={archive.name}>
                <td>
                  <code>{archive.name}</code>
                </td>
                <td className="num">{formatBytes(archive.bytes)}</td>
                <td className="nowrap">{formatDate(archive.modifiedAt)}</td>
                <td className="actions">
                  <Link
                    className="button button-small"
                    href={`/tenants/restore?archive=${encodeURIComponent(archive.name)}`}
                    aria-label={`Restore ${archive.name}`}
                  >
                    Restore…
                  </Link>
                </td>
              </tr>
            ))}
            {archives.length === 0 && (
              <tr>
                <td colSpan={4} className="empty">
                  No archives yet: deleting a tenant with “Archive first” writes one here.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </div>
  );
}

async function Chosen({ source, name }: { source: ArchiveSource; name: string }) {
  const inspected = await inspectArchive(source, name);
  if ('error' in inspected) {
    return (
      <div className="panel">
        <p className="alert alert-error" role="alert" data-testid="archive-error">
          {inspected.error}
        </p>
        <div className="form-actions">
          <Link className="button button-primary" href="/tenants/restore">
            Choose another archive
          </Link>
        </div>
      </div>
    );
  }
  const { archive, manifest } = inspected;
  const [slugTaken, idTaken] = await Promise.all([findTenant(manifest.tenant.slug), findTenantById(manifest.tenant.id)]);
  const defaults: RestoreDefaults = {
    source,
    file: archive.name,
    slug: manifest.tenant.slug,
    name: manifest.tenant.name,
    strategy: manifest.tenant.strategy,
    // The original still there: a copy is the only restore that can succeed.
    id: idTaken ? 'new' : 'archive',
  };
  const total = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
  return (
    <div className="panel">
      <h2>Archive</h2>
      <dl className="facts" data-testid="archive-manifest">
        <dt>File</dt>
        <dd>
          <code>{source === 'upload' ? 'uploaded archive' : archive.name}</code> ({formatBytes(archive.bytes)})
        </dd>
        <dt>Tenant</dt>
        <dd>
          {manifest.tenant.name} <code>{manifest.tenant.slug}</code>{' '}
          <span className={`pill strategy-${manifest.tenant.strategy}`}>{manifest.tenant.strategy}</span>
          <div className="muted small">
            id <code>{manifest.tenant.id}</code>
          </div>
        </dd>
        <dt>Written</dt>
        <dd>{formatDate(manifest.createdAt)}</dd>
        <dt>Schema version</dt>
        <dd>
          <code>{manifest.schemaVersion ?? '—'}</code>
        </dd>
        <dt>Rows</dt>
        <dd>
          {formatCount(total)}
          <ul className="compact-list">
            {manifest.tables.map((table) => (
              <li key={table.name} data-table={table.name}>
                <code>{table.name}</code>: {formatCount(table.rows)}
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      {(slugTaken || idTaken) && (
        <p className="alert alert-warn">
          {slugTaken && (
            <>
              A tenant <code>{manifest.tenant.slug}</code> exists: restore under another slug.{' '}
            </>
          )}
          {idTaken && (
            <>
              Tenant <code>{idTaken.slug}</code> has the archive’s id: restore it as a copy with a new id.
            </>
          )}
        </p>
      )}
      <RestoreTenantForm defaults={defaults} action={restoreTenantAction} />
    </div>
  );
}
