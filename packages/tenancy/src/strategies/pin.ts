import type pg from 'pg';
import { isUuid } from '../sql/ident';
import { execFormatted } from '../setup/roles';

export const PIN_CONSTRAINT = 'tenancy_tenant_pin';

/**
 * A placement of its own (a tenant schema or database) holds one tenant's rows only: a CHECK
 * constraint on each tenant table says so. The app role can assume any schema tenant's role, so
 * SQL in A's transaction can reach B's schema as B's role; row-level security hides B's rows from
 * A's context, and this keeps A's context from writing its own rows into B's tables. Run as the
 * owner, inside the caller's transaction; tables that have it already are left alone.
 */
export async function pinPlacement(client: pg.ClientBase, schema: string, tables: readonly string[], tenantId: string): Promise<void> {
  if (!isUuid(tenantId)) throw new TypeError(`Tenant id ${JSON.stringify(tenantId)} is not a uuid`);
  const { rows } = await client.query<{ table: string }>(
    `SELECT t AS table FROM unnest($2::text[]) t
      WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c
                         WHERE c.conrelid = to_regclass(format('%I.%I', $1::text, t)) AND c.conname = $3)`,
    [schema, [...tables], PIN_CONSTRAINT],
  );
  for (const { table } of rows) {
    await execFormatted(client, 'ALTER TABLE %I.%I ADD CONSTRAINT %I CHECK (tenant_id = %L::uuid)', [schema, table, PIN_CONSTRAINT, tenantId]);
  }
}
