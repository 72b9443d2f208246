import type pg from 'pg';
import type { Finding } from './types';

/** What setup() installs in every database that serves tenants, and what it must agree on. */

export interface Installed {
  database: string;
  /** The tenant whose database it is. */
  tenant?: string | undefined;
}

function withTenant(input: Installed): { tenant?: string } {
  return input.tenant ? { tenant: input.tenant } : {};
}

/** The library ends every tenant transaction with CALL tenancy.reset_session(text); without the procedure, commits fail. */
export async function checkResetFunction(client: pg.ClientBase, input: Installed): Promise<Finding[]> {
  // A function of that name (what versions before the procedure installed) cannot be CALLed.
  const { rows } = await client.query<{ present: boolean }>(
    `SELECT EXISTS (SELECT FROM pg_catalog.pg_proc WHERE oid = pg_catalog.to_regprocedure('tenancy.reset_session(text)') AND prokind = 'p') AS present`,
  );
  if (rows[0]?.present) return [];
  return [
    {
      severity: 'critical',
      code: 'reset-function-missing',
      object: input.database,
      ...withTenant(input),
      message: `The procedure tenancy.reset_session(text) is missing from database ${input.database}: every tenant transaction there fails at COMMIT (and a database cloned from it inherits the gap). Run setup().`,
    },
  ];
}

/**
 * A fingerprint of the context key stored in the connected database (sha256 of its HMAC pads), so
 * that keys can be compared without the audit holding them; null when there is none.
 */
export async function contextKeyFingerprint(client: pg.ClientBase): Promise<string | null> {
  const { rows: table } = await client.query<{ present: boolean }>(`SELECT to_regclass('tenancy.context_key') IS NOT NULL AS present`);
  if (!table[0]?.present) return null;
  const { rows } = await client.query<{ fingerprint: string }>(
    `SELECT encode(sha256(ipad || opad), 'hex') AS fingerprint FROM tenancy.context_key WHERE id = 1`,
  );
  return rows[0]?.fingerprint ?? null;
}

/**
 * The template and every tenant database verify contexts with their own copy of the key; one that
 * differs from the deployment's refuses every token the library signs (or, left from before a
 * rotation, accepts tokens of a key meant to be retired).
 */
export async function checkContextKey(client: pg.ClientBase, input: Installed & { expected: string }): Promise<Finding[]> {
  const stored = await contextKeyFingerprint(client);
  if (stored === input.expected) return [];
  return [
    {
      severity: 'critical',
      code: 'context-key-stale',
      object: input.database,
      ...withTenant(input),
      message: `The context key in database ${input.database} ${stored ? 'differs from' : 'is missing; it should be'} the deployment's: a rotation did not reach it. Run setup() or rotateContextSecret().`,
    },
  ];
}
