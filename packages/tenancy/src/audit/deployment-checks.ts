import type pg from 'pg';
import type { Finding } from './types';

/** What SQL run as the app role could reach in the deployment's database, beyond its tenant tables. */
export async function checkDeployment(client: pg.ClientBase, input: { appRole: string; sharedSchema: string }): Promise<Finding[]> {
  const findings: Finding[] = [];
  const { rows } = await client.query(
    `SELECT has_table_privilege($1, 'tenancy.context_key', 'SELECT') AS key_readable,
            has_table_privilege($1, 'tenancy.tenants', 'SELECT') AS catalog_readable,
            has_table_privilege($1, 'tenancy.secrets', 'SELECT') AS secrets_readable,
            has_schema_privilege('public', $2, 'CREATE') AS public_create,
            has_schema_privilege($1, 'tenancy', 'CREATE') AS app_creates_in_tenancy`,
    [input.appRole, input.sharedSchema],
  );
  const r = rows[0];
  if (r.key_readable)
    findings.push({
      severity: 'critical',
      code: 'context-key-readable',
      object: 'tenancy.context_key',
      message: `${input.appRole} can read the context key: it can forge any tenant's context.`,
    });
  if (r.secrets_readable)
    findings.push({
      severity: 'high',
      code: 'secrets-readable',
      object: 'tenancy.secrets',
      message: `${input.appRole} can list every tenant's encrypted password.`,
    });
  if (r.catalog_readable)
    findings.push({
      severity: 'low',
      code: 'catalog-readable',
      object: 'tenancy.tenants',
      message: `${input.appRole} can list every tenant; it needs only tenancy.resolve_tenant().`,
    });
  if (r.public_create)
    findings.push({
      severity: 'high',
      code: 'public-create',
      object: input.sharedSchema,
      message: `Every role may create objects in schema ${input.sharedSchema}: one could shadow a table or function.`,
    });
  if (r.app_creates_in_tenancy)
    findings.push({
      severity: 'critical',
      code: 'tenancy-schema-writable',
      object: 'tenancy',
      message: `${input.appRole} can create objects in schema tenancy.`,
    });

  const { rows: definers } = await client.query<{ fn: string }>(
    `SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
      WHERE p.prosecdef AND p.pronamespace IN (to_regnamespace('tenancy'), to_regnamespace($1))
        AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) c WHERE c LIKE 'search_path=%')`,
    [input.sharedSchema],
  );
  for (const { fn } of definers) {
    findings.push({
      severity: 'high',
      code: 'definer-without-search-path',
      object: fn,
      message: 'SECURITY DEFINER function without a fixed search_path: a caller can hijack the objects it names.',
    });
  }
  const { rows: volatile } = await client.query<{ fn: string }>(
    `SELECT p.proname AS fn FROM pg_proc p WHERE p.pronamespace = to_regnamespace('tenancy')
        AND p.proname IN ('current_tenant_id', 'current_user_id', 'current_app_role') AND p.provolatile <> 's'`,
  );
  for (const { fn } of volatile) {
    findings.push({
      severity: 'medium',
      code: 'context-function-volatile',
      object: `tenancy.${fn}`,
      message: 'The context function is not STABLE: the planner cannot evaluate it once per statement.',
    });
  }
  return findings;
}
