import type { Catalog } from '../catalog/catalog.js';
import type { Tenant } from '../catalog/types.js';
import type { Deployment } from '../deployment.js';
import { checkDatabaseAccess, checkDeployment } from './deployment-checks.js';
import { checkPlacement, checkRuntimeRole } from './placement-checks.js';
import type { AuditReport, Finding } from './types.js';

const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const STUCK_AFTER_MS = 15 * 60 * 1000;

/**
 * Reads the catalogs of every placement and reports what would let one tenant reach another, or
 * make isolation slow. Read-only: it changes nothing. Empty findings mean the deployment is safe
 * by every check here.
 */
export async function audit(deployment: Deployment, catalog: Catalog): Promise<AuditReport> {
  const { config } = deployment;
  const tenants = await catalog.list();
  const tables = config.tenantTables;
  const appRole = deployment.appRole;
  const findings: Finding[] = [];
  let placements = 0;

  const admin = await deployment.admin().connect();
  try {
    findings.push(...(await checkRuntimeRole(admin, appRole)));
    findings.push(...(await checkDeployment(admin, { appRole, sharedSchema: config.sharedSchema })));
    findings.push(...(await checkPlacement(admin, { schema: config.sharedSchema, tables, runtimeRoles: [appRole], label: config.sharedSchema })));
    placements++;
    for (const tenant of tenants.filter((t) => t.strategy === 'schema')) {
      findings.push(...(await checkPlacement(admin, { schema: tenant.schemaName, tables, runtimeRoles: [appRole, tenant.roleName!], label: tenant.schemaName, tenant: tenant.slug })));
      findings.push(...(await crossSchemaAccess(admin, tenant, tenants)));
      placements++;
    }
    const databaseTenants = tenants.filter((t) => t.strategy === 'database' && t.status === 'active');
    findings.push(...(await checkDatabaseAccess(admin, databaseTenants.map((t) => t.databaseName!))));
  } finally {
    admin.release();
  }
  for (const tenant of tenants.filter((t) => t.strategy === 'database' && t.status === 'active')) {
    const found = await deployment
      .adminClientFor(tenant.databaseName!, async (client) => [
        ...(await checkRuntimeRole(client, tenant.roleName!)),
        ...(await checkPlacement(client, { schema: 'public', tables, runtimeRoles: [tenant.roleName!], label: tenant.databaseName!, tenant: tenant.slug })),
      ])
      .catch((error: Error): Finding[] => [
        { severity: 'high', code: 'database-unreachable', object: tenant.databaseName!, tenant: tenant.slug, message: `Could not inspect the tenant database: ${error.message}` },
      ]);
    findings.push(...found);
    placements++;
  }
  findings.push(...lifecycleFindings(tenants, deployment.config.migrationsFolder ? deployment.latestMigration : null));
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.object.localeCompare(b.object));
  return { findings, checkedAt: new Date().toISOString(), placements };
}

/** A schema tenant's role must reach its own schema only. */
async function crossSchemaAccess(client: import('pg').ClientBase, tenant: Tenant, tenants: Tenant[]): Promise<Finding[]> {
  const others = tenants.filter((t) => t.strategy === 'schema' && t.id !== tenant.id).map((t) => t.schemaName);
  if (others.length === 0) return [];
  const { rows } = await client.query<{ schema: string }>(
    `SELECT s AS schema FROM unnest($2::text[]) s WHERE to_regnamespace(s) IS NOT NULL AND has_schema_privilege($1, s, 'USAGE')`,
    [tenant.roleName, others],
  );
  return rows.map(({ schema }) => ({
    severity: 'critical' as const,
    code: 'cross-schema-access',
    object: schema,
    tenant: tenant.slug,
    message: `Role ${tenant.roleName} of tenant ${tenant.slug} may use another tenant's schema ${schema}.`,
  }));
}

function lifecycleFindings(tenants: Tenant[], latest: string | null): Finding[] {
  const findings: Finding[] = [];
  for (const tenant of tenants) {
    if (tenant.status !== 'active' && Date.now() - tenant.updatedAt.getTime() > STUCK_AFTER_MS) {
      findings.push({ severity: 'low', code: 'tenant-stuck', object: tenant.slug, tenant: tenant.slug, message: `Tenant has been ${tenant.status} since ${tenant.updatedAt.toISOString()}: run the same lifecycle call again to finish it.` });
    }
    if (latest && tenant.status === 'active' && tenant.schemaVersion !== latest) {
      findings.push({ severity: 'low', code: 'tenant-behind', object: tenant.slug, tenant: tenant.slug, message: `Tenant is at migration ${tenant.schemaVersion ?? 'none'}, the newest is ${latest}: run migrate().` });
    }
  }
  return findings;
}
