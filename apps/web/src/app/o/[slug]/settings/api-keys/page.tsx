import type { Metadata } from 'next';

import { EmptyState } from '@/components/empty-state';
import { formatDateTime } from '@/components/format';
import { RoleHint } from '@/components/role-hint';
import { listApiKeys, type ApiKeySummary } from '@/server/queries/api-keys';
import { withTenantControlPlane } from '@/server/tenant-data';

import { CreateKeyForm } from './create-key-form';
import { RevokeKeyForm } from './revoke-key-form';

export const metadata: Metadata = { title: 'API keys' };

const MANAGERS = new Set(['owner', 'admin']);

export default async function ApiKeysPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  // Owners and admins only: public.tenant_api_keys refuses anyone else (42501), so others are not even asked.
  const { keys, session } = await withTenantControlPlane(slug, async (tx, session) => ({
    keys: MANAGERS.has(session.role) ? await listApiKeys(tx) : null,
    session,
  }));
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>API keys</h1>
          <p>
            Keys let programs call the JSON API of {session.active.tenantName} (<code>/api/v1</code>, described at{' '}
            <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>). A read key reads; a write key acts with your role.
          </p>
        </div>
      </div>
      {keys === null ? (
        <RoleHint>Only owners and admins can see and manage API keys.</RoleHint>
      ) : (
        <div style={{ display: 'grid', gap: '1rem' }}>
          <CreateKeyForm />
          <div className="panel">{keys.length === 0 ? <EmptyState icon="◆" title="No API keys yet" /> : <KeyTable keys={keys} />}</div>
        </div>
      )}
    </div>
  );
}

function KeyTable({ keys }: { keys: ApiKeySummary[] }) {
  return (
    <div className="table-scroll">
      <table className="table" aria-label="API keys">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scope</th>
            <th scope="col" className="hide-narrow">
              Last used
            </th>
            <th scope="col" style={{ textAlign: 'right' }}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} data-revoked={key.revokedAt ? true : undefined}>
              <td>
                <span className="cell-title">{key.name}</span>
                <span className="cell-sub">
                  by {key.createdByName}, {formatDateTime(key.createdAt)}
                </span>
              </td>
              <td>
                <code>{key.prefix}_…</code>
              </td>
              <td>
                <span className="badge">{key.scope}</span>
              </td>
              <td className="muted hide-narrow">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'}</td>
              <td style={{ textAlign: 'right' }}>
                {key.revokedAt ? <span className="muted">Revoked {formatDateTime(key.revokedAt)}</span> : <RevokeKeyForm keyId={key.id} name={key.name} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
