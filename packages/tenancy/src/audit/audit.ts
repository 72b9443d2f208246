import type pg from 'pg';
import type { Tenant } from '../catalog/types';
import type { Deployment } from '../deployment';
import type { Parts } from '../parts';
import type { Server } from '../servers/servers';
import { isUnreachable } from '../servers/unreachable';
import { checkDatabaseAccess, checkDatabaseCreate, checkTempPrivilege, checkTenantConnect, type ServingDatabase } from './database-access-checks';
import { checkDeployment } from './deployment-checks';
import { checkContextKey, checkResetFunction, contextKeyFingerprint } from './install-checks';
import { checkPlacement, checkRuntimeRole } from './placement-checks';
import { checkDefinerFunctions, checkPlpgsql, checkSchemaCreate, checkSessionFunctions, checkStatistics, type InDatabase } from './privilege-checks';
import { checkAppRoleInheritance, checkPasswords, checkRoleSettings, type TenantRole } from './role-checks';
import type { AuditReport, Finding } from './types';

const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const STUCK_AFTER_MS = 15 * 60 * 1000;

/** The cluster's own databases: a tenant role must not reach them either. */
const CLUSTER_DATABASES = ['postgres', 'template1'];

interface OwnSchema {
  tenant: Tenant;
  schema: string;
  role: string;
}

interface OwnDatabase {
  tenant: Tenant;
  database: string;
  role: string;
}

/** Who SQL in a tenant transaction can run as, and where tenants are served. Each tenant's strategy says where it lives. */
interface Scope {
  tenants: Tenant[];
  appRole: string;
  tenantRoles: TenantRole[];
  /** The app role and every tenant's role. */
  runtimeRoles: string[];
  /** Tenants with a schema of their own in the deployment's database. */
  schemas: OwnSchema[];
  /** Tenants with a database of their own, whatever their status: who may connect where. */
  databases: OwnDatabase[];
  /** Those of them that serve (active): inspected from inside. */
  serving: OwnDatabase[];
}

function scopeOf(server: Server, tenants: Tenant[]): Scope {
  const appRole = server.deployment.appRole;
  const tenantRoles = tenants.flatMap((t) => (t.roleName ? [{ slug: t.slug, role: t.roleName }] : []));
  const schemas: OwnSchema[] = [];
  const databases: OwnDatabase[] = [];
  for (const tenant of tenants) {
    const placement = server.strategies[tenant.strategy]?.auditPlacement(tenant) ?? null;
    if (placement?.kind === 'schema') schemas.push({ tenant, schema: placement.schema, role: placement.role });
    if (placement?.kind === 'database') databases.push({ tenant, database: placement.database, role: placement.role });
  }
  return {
    tenants,
    appRole,
    tenantRoles,
    runtimeRoles: [...new Set([appRole, ...tenantRoles.map((t) => t.role)])],
    schemas,
    databases,
    serving: databases.filter((own) => own.tenant.status === 'active'),
  };
}

/**
 * Reads the catalogs of every placement and reports what would let one tenant reach another, or
 * make isolation slow. Read-only: it changes nothing. Empty findings mean the deployment is safe
 * by every check here. Privileges are asked about the runtime roles (has_*_privilege(role, ...)),
 * never about the admin connection that asks.
 */
export async function audit({ servers, catalog, deployment }: Pick<Parts, 'servers' | 'catalog' | 'deployment'>): Promise<AuditReport> {
  const tenants = await catalog.list();
  const primary = await auditServer(servers.primary, tenants, null);
  const findings = [...primary.findings];
  let placements = primary.placements;
  // Every other server's databases must hold the primary's key; a server that does not answer is a finding, the rest go on.
  for (const server of servers.all.filter((s) => !s.primary)) {
    try {
      const result = await auditServer(server, tenants, primary.key);
      findings.push(...result.findings.map((f) => ({ ...f, server: server.name })));
      placements += result.placements;
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      findings.push({
        severity: 'high',
        code: 'server-unreachable',
        object: server.name,
        server: server.name,
        message: `Could not inspect server "${server.name}": ${(error as Error).message}. Its tenants were not checked; run the audit again once it is back.`,
      });
    }
  }
  findings.push(...lifecycleFindings(tenants, deployment.config.migrationsFolder ? deployment.latestMigration : null));
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.object.localeCompare(b.object));
  return { findings, checkedAt: new Date().toISOString(), placements };
}

/**
 * One server: its database (the catalog on the primary, the shared tables where they are), its template, its tenants'
 * schemas and databases. `expectedKey`: the primary's key fingerprint, which another server's databases must hold (null on the
 * primary, whose own key is the reference).
 */
async function auditServer(
  server: Server,
  all: Tenant[],
  expectedKey: string | null,
): Promise<{ findings: Finding[]; placements: number; key: string | null }> {
  const { deployment } = server;
  const scope = scopeOf(
    server,
    all.filter((t) => t.server === server.name),
  );
  const here = await deployment.withAdmin((admin) => auditDeploymentDatabase(admin, server, scope, expectedKey));
  const key = expectedKey ?? here.key;
  const findings = [...here.findings];
  let placements = 1 + scope.schemas.length;
  if (here.template) {
    // Connecting holds the template busy for a moment: a tenant database created meanwhile retries (createDatabaseOnce).
    const template = { database: here.template, roles: scope.runtimeRoles };
    findings.push(...(await inspectDatabase(deployment, template, (client) => insideDatabase(client, template, key))));
  }
  for (const { tenant, database, role } of scope.serving) {
    const inside = { database, roles: scope.runtimeRoles, tenant: tenant.slug };
    findings.push(
      ...(await inspectDatabase(deployment, inside, async (client) => [
        ...(await checkRuntimeRole(client, role)),
        ...(await checkPlacement(client, {
          schema: 'public',
          tables: deployment.config.tenantTables,
          runtimeRoles: [role],
          label: database,
          tenant: tenant.slug,
          tenantId: tenant.id,
        })),
        ...(await insideDatabase(client, inside, key)),
      ])),
    );
    placements++;
  }
  return { findings, placements, key };
}

interface DeploymentResult {
  findings: Finding[];
  /** The template database, when there is one. */
  template: string | null;
  /** Fingerprint of the deployment's context key, which every other database must hold too. */
  key: string | null;
}

/** Everything asked from the deployment's database: its placements, and what is cluster-wide (roles, databases). */
async function auditDeploymentDatabase(admin: pg.ClientBase, server: Server, scope: Scope, expectedKey: string | null): Promise<DeploymentResult> {
  const { deployment } = server;
  const { config } = deployment;
  const { appRole, runtimeRoles, tenantRoles } = scope;
  const tables = config.tenantTables;
  const findings: Finding[] = [];
  findings.push(...(await checkRuntimeRole(admin, appRole)));
  // The catalog is the primary's only; the shared tables are wherever they are configured (the primary, the shards).
  if (server.primary) findings.push(...(await checkDeployment(admin, { appRole, sharedSchema: config.sharedSchema })));
  if (server.sharedTables) {
    findings.push(...(await checkPlacement(admin, { schema: config.sharedSchema, tables, runtimeRoles: [appRole], label: config.sharedSchema })));
  }
  for (const own of scope.schemas) {
    findings.push(
      ...(await checkPlacement(admin, {
        schema: own.schema,
        tables,
        runtimeRoles: [appRole, own.role],
        label: own.schema,
        tenant: own.tenant.slug,
        tenantId: own.tenant.id,
      })),
    );
    findings.push(...(await crossSchemaAccess(admin, own, scope.schemas)));
  }
  findings.push(
    ...(await checkDatabaseAccess(
      admin,
      scope.serving.map((own) => own.database),
    )),
  );

  const { database, template } = await databaseNames(admin, deployment.templateName);
  const serving: ServingDatabase[] = [
    { name: database },
    ...(template ? [{ name: template }] : []),
    ...scope.serving.map((own) => ({ name: own.database, tenant: own.tenant.slug })),
  ];
  findings.push(...(await checkTempPrivilege(admin, runtimeRoles, serving)));
  findings.push(...(await checkDatabaseCreate(admin, runtimeRoles, serving)));
  const logins = scope.databases.map((own) => ({ slug: own.tenant.slug, role: own.role, database: own.database }));
  const deploymentDatabases = [database, ...(template ? [template] : []), ...scope.databases.map((own) => own.database)];
  findings.push(...(await checkTenantConnect(admin, logins, [...deploymentDatabases, ...CLUSTER_DATABASES])));
  findings.push(...(await checkAppRoleInheritance(admin, appRole, tenantRoles)));
  findings.push(...(await checkRoleSettings(admin, runtimeRoles, tenantRoles)));
  findings.push(...(await checkPasswords(admin, runtimeRoles, tenantRoles)));
  findings.push(...(await insideDatabase(admin, { database, roles: runtimeRoles }, expectedKey)));
  return { findings, template, key: await contextKeyFingerprint(admin) };
}

async function databaseNames(admin: pg.ClientBase, templateName: string): Promise<{ database: string; template: string | null }> {
  const { rows } = await admin.query<{ database: string; template: string | null }>(
    'SELECT current_database() AS database, (SELECT datname FROM pg_catalog.pg_database WHERE datname = $1) AS template',
    [templateName],
  );
  return rows[0]!;
}

/**
 * The checks every database that serves tenants gets, from inside it: privileges kept in its own
 * catalogs and the tenancy objects setup() installs there. `key`: the deployment's key fingerprint,
 * which this database must hold too (null: this is the deployment's database, or it has none).
 */
async function insideDatabase(client: pg.ClientBase, input: InDatabase, key: string | null): Promise<Finding[]> {
  return [
    ...(await checkSchemaCreate(client, input)),
    ...(await checkDefinerFunctions(client, input)),
    ...(await checkStatistics(client, input)),
    ...(await checkSessionFunctions(client, input)),
    ...(await checkPlpgsql(client, input)),
    ...(await checkResetFunction(client, input)),
    ...(key ? await checkContextKey(client, { ...input, expected: key }) : []),
  ];
}

/** Runs checks on an owner connection to another database of the cluster; one it cannot reach is a finding. */
async function inspectDatabase(deployment: Deployment, input: InDatabase, checks: (client: pg.ClientBase) => Promise<Finding[]>): Promise<Finding[]> {
  return deployment.adminClientFor(input.database, checks).catch((error: Error): Finding[] => [
    {
      severity: 'high',
      code: 'database-unreachable',
      object: input.database,
      ...(input.tenant ? { tenant: input.tenant } : {}),
      message: `Could not inspect the database: ${error.message}`,
    },
  ]);
}

/** A tenant's role must reach its own schema only. */
async function crossSchemaAccess(client: pg.ClientBase, own: OwnSchema, schemas: OwnSchema[]): Promise<Finding[]> {
  const others = schemas.filter((other) => other.tenant.id !== own.tenant.id).map((other) => other.schema);
  if (others.length === 0) return [];
  const { rows } = await client.query<{ schema: string }>(
    `SELECT s AS schema FROM unnest($2::text[]) s WHERE to_regnamespace(s) IS NOT NULL AND has_schema_privilege($1, s, 'USAGE')`,
    [own.role, others],
  );
  return rows.map(({ schema }) => ({
    severity: 'critical' as const,
    code: 'cross-schema-access',
    object: schema,
    tenant: own.tenant.slug,
    message: `Role ${own.role} of tenant ${own.tenant.slug} may use another tenant's schema ${schema}.`,
  }));
}

function lifecycleFindings(tenants: Tenant[], latest: string | null): Finding[] {
  const findings: Finding[] = [];
  for (const tenant of tenants) {
    if (tenant.status !== 'active' && Date.now() - tenant.updatedAt.getTime() > STUCK_AFTER_MS) {
      findings.push({
        severity: 'low',
        code: 'tenant-stuck',
        object: tenant.slug,
        tenant: tenant.slug,
        message: `Tenant has been ${tenant.status} since ${tenant.updatedAt.toISOString()}: run the same lifecycle call again to finish it.`,
      });
    }
    if (latest && tenant.status === 'active' && tenant.schemaVersion !== latest) {
      findings.push({
        severity: 'low',
        code: 'tenant-behind',
        object: tenant.slug,
        tenant: tenant.slug,
        message: `Tenant is at migration ${tenant.schemaVersion ?? 'none'}, the newest is ${latest}: run migrate().`,
      });
    }
  }
  return findings;
}
