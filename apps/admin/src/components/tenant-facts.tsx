import type { ReactNode } from 'react';
import type { Tenant } from '@repo/tenancy';

import { formatDate } from '@/lib/format';

/** What the console knows of a tenant from the catalog: on its page and on the pages that change it. `children`: more facts (dt, dd). */
export function TenantFacts({ tenant, children }: { tenant: Tenant; children?: ReactNode }) {
  return (
    <dl className="facts" data-testid="tenant-facts">
      <dt>Tenant</dt>
      <dd>
        {tenant.name} <code>{tenant.slug}</code>
      </dd>
      <dt>Strategy</dt>
      <dd>
        <span className={`pill strategy-${tenant.strategy}`} data-testid="tenant-strategy">
          {tenant.strategy}
        </span>
      </dd>
      <dt>Status</dt>
      <dd>
        <span className={`status status-${tenant.status}`}>{tenant.status}</span>
      </dd>
      <dt>Created</dt>
      <dd>{formatDate(tenant.createdAt)}</dd>
      <dt>Server</dt>
      <dd data-testid="tenant-server">
        <code>{tenant.server}</code>
        {tenant.serverState !== 'open' && <span className="muted"> ({tenant.serverState.replace('_', '-')})</span>}
      </dd>
      <dt>Placement</dt>
      <dd>
        {tenant.strategy === 'database' ? (
          <>
            database <code>{tenant.databaseName}</code>, role <code>{tenant.roleName}</code>
          </>
        ) : tenant.strategy === 'schema' ? (
          <>
            schema <code>{tenant.schemaName}</code>, role <code>{tenant.roleName}</code>
          </>
        ) : (
          <>
            rows in the shared tables of <code>{tenant.schemaName}</code>
          </>
        )}
      </dd>
      {children}
    </dl>
  );
}
