export const STRATEGIES = ['rls', 'schema', 'database'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** open: takes new tenants; drained: serves its tenants, takes no new ones; read_only: its tenants' transactions are read-only too. */
export const SERVER_STATES = ['open', 'drained', 'read_only'] as const;
export type ServerState = (typeof SERVER_STATES)[number];

export const TENANT_STATUSES = ['provisioning', 'active', 'moving', 'deleting'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** A row of the tenant catalog, as the public API returns it. */
export interface Tenant {
  id: string;
  slug: string;
  name: string;
  strategy: StrategyName;
  status: TenantStatus;
  /** Schema holding the tenant's tables (the shared schema for rls tenants). */
  schemaName: string;
  /** Database holding the tenant's tables; null means the deployment's own database. */
  databaseName: string | null;
  /** Per-tenant login or group role; null for rls tenants, which run as the app role. */
  roleName: string | null;
  /** The server its placement is on (config `primaryName` or a name in `servers`); rls tenants on one with shared tables. */
  server: string;
  /** That server's state when the entry was read: a read_only server's tenants run read-only transactions. */
  serverState: ServerState;
  /** Tag of the last tenant migration applied to this tenant's placement. */
  schemaVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}
