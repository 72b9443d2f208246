import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as tenantSchema from '../src/schema/tenant';
import { FUNCTION_WRITTEN_TABLES, TABLES } from './isolation/fixture';

/**
 * A tenant table is written down in several places, and forgetting one is silent: FORCE ROW LEVEL SECURITY
 * (force-rls.test.ts), the deletion order and the admin's row counts all go by TENANT_TABLES, and the isolation,
 * tamper and pooled-session suites attack only the tables of their fixture. So both lists must name every table
 * that schema/tenant.ts defines.
 */
const defined = Object.values(tenantSchema as Record<string, unknown>)
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableName(table))
  .sort();

describe('every tenant table is registered and attacked', () => {
  it('TENANT_TABLES names every table of schema/tenant.ts (FORCE RLS, deletion, audit and the admin go by it)', () => {
    expect(defined.length).toBeGreaterThan(0);
    expect([...tenantSchema.TENANT_TABLES].sort()).toEqual(defined);
  });

  it('the isolation fixture writes and reads every tenant table (some through the functions that write them)', () => {
    expect([...Object.keys(TABLES), ...FUNCTION_WRITTEN_TABLES].sort()).toEqual(defined);
  });
});
