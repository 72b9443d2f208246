/** SQLSTATE of a lookup whose proof is missing, expired or signed with another key. */
export const PROOF_REFUSED = 'TN001';

// One row each; app_user has no privilege on them, so SQL run as app_user cannot read a key.
export const CONTEXT_KEY_TABLE = `CREATE TABLE IF NOT EXISTS tenancy.context_key (
    id int PRIMARY KEY CHECK (id = 1),
    ipad bytea NOT NULL CHECK (length(ipad) = 64),
    opad bytea NOT NULL CHECK (length(opad) = 64)
  )`;

/** The key a rotation replaced, accepted until valid_until so processes still signing with it can be rolled over. */
export const PREVIOUS_KEY_TABLE = `CREATE TABLE IF NOT EXISTS tenancy.context_key_previous (
    id int PRIMARY KEY CHECK (id = 1),
    ipad bytea NOT NULL CHECK (length(ipad) = 64),
    opad bytea NOT NULL CHECK (length(opad) = 64),
    valid_until timestamptz NOT NULL
  )`;

/** DDL of the tenant catalog; every statement is idempotent so setup() can run on every deploy. */
export const CATALOG_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS tenancy.tenants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z][a-z0-9_]{1,47}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    strategy text NOT NULL CHECK (strategy IN ('rls', 'schema', 'database')),
    status text NOT NULL DEFAULT 'provisioning' CHECK (status IN ('provisioning', 'active', 'moving', 'deleting')),
    schema_name text NOT NULL,
    database_name text,
    role_name text,
    schema_version text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  // The server of a tenant placed outside the primary; null is the primary (which may be renamed).
  `ALTER TABLE tenancy.tenants ADD COLUMN IF NOT EXISTS server text CHECK (server ~ '^[a-z][a-z0-9_]{0,30}$')`,
  // A server's state, when not open: names only, never URLs (they hold passwords and live in each process's config).
  `CREATE TABLE IF NOT EXISTS tenancy.servers (
    name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,30}$'),
    state text NOT NULL CHECK (state IN ('open', 'drained', 'read_only')),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  // Bumped in the same transaction as every change to the catalog, so a process can confirm all of
  // its cached entries with one small read instead of looking every tenant up again.
  `CREATE TABLE IF NOT EXISTS tenancy.catalog_version (
    id int PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
  )`,
  'INSERT INTO tenancy.catalog_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING',
  `CREATE OR REPLACE FUNCTION tenancy.bump_catalog_version() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $fn$
  BEGIN
    UPDATE tenancy.catalog_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
  END
  $fn$`,
  `CREATE OR REPLACE TRIGGER catalog_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenancy.tenants
    FOR EACH STATEMENT EXECUTE FUNCTION tenancy.bump_catalog_version()`,
  // A server made read-only reaches every process's cached entries as a catalog change does.
  `CREATE OR REPLACE TRIGGER catalog_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenancy.servers
    FOR EACH STATEMENT EXECUTE FUNCTION tenancy.bump_catalog_version()`,
  CONTEXT_KEY_TABLE,
  PREVIOUS_KEY_TABLE,
  // Per-tenant role passwords for DatabaseSecretsProvider: AES-GCM ciphertext only; the key is never here.
  `CREATE TABLE IF NOT EXISTS tenancy.secrets (
    name text PRIMARY KEY,
    iv bytea NOT NULL,
    tag bytea NOT NULL,
    ciphertext bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
];

/**
 * Runtime roles read one ciphertext at a time, and only with a proof signed with the context key
 * for that name (a bind parameter of the library's own lookup): SQL running in a tenant request
 * holds no proof for another tenant's name, so it cannot read another tenant's secret.
 */
export const SECRET_FUNCTION = `
CREATE OR REPLACE FUNCTION tenancy.get_secret(p_name text, p_expires bigint, p_signature text)
RETURNS TABLE (iv bytea, tag bytea, ciphertext bytea)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF p_expires <= extract(epoch FROM now()) OR NOT tenancy.signature_valid('secret.' || p_name || '.' || p_expires, p_signature) THEN
    RAISE EXCEPTION 'tenancy: lookup proof refused' USING ERRCODE = '${PROOF_REFUSED}';
  END IF;
  RETURN QUERY SELECT s.iv, s.tag, s.ciphertext FROM tenancy.secrets s WHERE s.name = p_name;
END
$fn$`;

export const TENANT_COLUMNS = 'id, slug, name, strategy, status, schema_name, database_name, role_name, server, schema_version, created_at, updated_at';

/**
 * The app role resolves one tenant at a time through this function instead of reading the
 * catalog, and only with a proof signed with the context key for that slug or id (a bind parameter
 * of the library's own lookup): SQL injected into a tenant request can neither list tenants nor
 * look up another tenant's placement.
 */
/** Key of the session advisory lock a move holds on its tenant: `hashtext(prefix || id)`. */
export const MOVE_LOCK_PREFIX = 'tenancy.move:';

/** Drops resolve_tenant when it returns the columns of before servers: CREATE OR REPLACE cannot change a function's result. */
export const DROP_OLD_RESOLVE_FUNCTION = `
SELECT 'DROP FUNCTION ' || p.oid::regprocedure::text AS ddl FROM pg_catalog.pg_proc p
 WHERE p.oid = to_regprocedure('tenancy.resolve_tenant(text, bigint, text)')
   AND pg_catalog.pg_get_function_result(p.oid) NOT LIKE '%server_state text%'`;

export const RESOLVE_FUNCTION = `
CREATE OR REPLACE FUNCTION tenancy.resolve_tenant(p_key text, p_expires bigint, p_signature text)
RETURNS TABLE (id uuid, slug text, name text, strategy text, status text, schema_name text, database_name text,
               role_name text, server text, server_state text, schema_version text, created_at timestamptz, updated_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_id uuid;
  v_gone_mover boolean := false;
BEGIN
  IF p_expires <= extract(epoch FROM now()) OR NOT tenancy.signature_valid('resolve.' || p_key || '.' || p_expires, p_signature) THEN
    RAISE EXCEPTION 'tenancy: lookup proof refused' USING ERRCODE = '${PROOF_REFUSED}';
  END IF;
  IF p_key ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
    v_id := p_key::uuid;
  ELSE
    SELECT t.id INTO v_id FROM tenancy.tenants t WHERE t.slug = p_key;
  END IF;
  -- A move holds a session lock on its tenant from start to end, so the lock is free only when the
  -- mover is gone (killed mid-pause): the tenant then serves from where the catalog still places it.
  -- The row is read after the lock, by a statement of its own and so from a newer snapshot (this
  -- function is VOLATILE for that): a switch committed before the mover let go is seen.
  IF EXISTS (SELECT 1 FROM tenancy.tenants t WHERE t.id = v_id AND t.status = 'moving') THEN
    v_gone_mover := pg_try_advisory_xact_lock_shared(hashtext('${MOVE_LOCK_PREFIX}' || v_id::text));
  END IF;
  RETURN QUERY SELECT t.id, t.slug, t.name, t.strategy,
                      CASE WHEN v_gone_mover AND t.status = 'moving' THEN 'active' ELSE t.status END,
                      t.schema_name, t.database_name, t.role_name, t.server, coalesce(s.state, 'open'), t.schema_version,
                      t.created_at, t.updated_at
               FROM tenancy.tenants t LEFT JOIN tenancy.servers s ON s.name = t.server WHERE t.id = v_id;
END
$fn$`;

/**
 * The catalog's version, with the same kind of proof as a lookup: it tells nothing about any one
 * tenant, but how often the catalog changes (sign-ups, deletions) is the deployment's business, not
 * a tenant's, so SQL run in a tenant request cannot read it either.
 */
export const CATALOG_VERSION_FUNCTION = `
CREATE OR REPLACE FUNCTION tenancy.catalog_version(p_expires bigint, p_signature text) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF p_expires <= extract(epoch FROM now()) OR NOT tenancy.signature_valid('catalog.version.' || p_expires, p_signature) THEN
    RAISE EXCEPTION 'tenancy: lookup proof refused' USING ERRCODE = '${PROOF_REFUSED}';
  END IF;
  RETURN (SELECT v.version FROM tenancy.catalog_version v WHERE v.id = 1);
END
$fn$`;
