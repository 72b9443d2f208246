/**
 * SQL of the context functions. Each verifies the whole token itself instead of calling a shared
 * helper: policies call one of them once per statement (as an initplan), and a second SECURITY
 * DEFINER call per statement is the dearest part of the check (DESIGN.md, "What the context costs").
 */

export const CONTEXT_SETTING = 'tenancy.context';

/**
 * The HMAC is checked before anything in the token is parsed: a token whose signature matches was
 * written by the library, so its fields are well-formed and the casts below cannot fail. This
 * avoids a format regex, which cost PostgreSQL's regex engine most of the check's time (bench).
 * The signature is compared as hex text, so a forged token with a non-hex signature is simply
 * unequal instead of an error.
 */
function verifyingFunction(name: string, returns: string, value: string): string {
  return `
CREATE OR REPLACE FUNCTION tenancy.${name}() RETURNS ${returns}
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  tok text := current_setting('${CONTEXT_SETTING}', true);
  k record;
BEGIN
  -- Missing, malformed, forged or expired: NULL, so a policy comparing against it matches no row.
  IF tok IS NULL OR length(tok) < 100 OR left(tok, 3) <> 'v1.' THEN
    RETURN NULL;
  END IF;
  SELECT ipad, opad INTO k FROM tenancy.context_key WHERE id = 1;
  IF NOT FOUND OR encode(sha256(k.opad || sha256(k.ipad || convert_to(left(tok, -65), 'UTF8'))), 'hex') <> right(tok, 64) THEN
    IF NOT tenancy.previous_key_signed(left(tok, -65), right(tok, 64)) THEN
      RETURN NULL;
    END IF;
  END IF;
  IF split_part(tok, '.', 5)::bigint <= extract(epoch FROM now()) THEN
    RETURN NULL;
  END IF;
  RETURN ${value};
END
$fn$`;
}

/**
 * During a rotation's overlap window the replaced key still verifies. Only the slow path (a token
 * the current key did not sign) reaches it, so tokens of the current key cost nothing more.
 */
const PREVIOUS_KEY_FUNCTION = `
CREATE OR REPLACE FUNCTION tenancy.previous_key_signed(p_payload text, p_signature text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce(bool_or(encode(sha256(k.opad || sha256(k.ipad || convert_to(p_payload, 'UTF8'))), 'hex') = p_signature), false)
    FROM tenancy.context_key_previous k WHERE k.id = 1 AND k.valid_until > now()
$fn$`;

/** A signature of the current key, or of the previous one while its overlap lasts: for lookup proofs. */
const SIGNATURE_FUNCTION = `
CREATE OR REPLACE FUNCTION tenancy.signature_valid(p_payload text, p_signature text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce((SELECT encode(sha256(k.opad || sha256(k.ipad || convert_to(p_payload, 'UTF8'))), 'hex') = p_signature
                     FROM tenancy.context_key k WHERE k.id = 1), false)
         OR tenancy.previous_key_signed(p_payload, p_signature)
$fn$`;

/** Created before the context functions, which call them; granted to nobody but their owner. */
export const KEY_FUNCTIONS: readonly string[] = [PREVIOUS_KEY_FUNCTION, SIGNATURE_FUNCTION];

export const CONTEXT_FUNCTIONS: readonly string[] = [
  verifyingFunction('current_tenant_id', 'uuid', `split_part(tok, '.', 2)::uuid`),
  verifyingFunction('current_user_id', 'uuid', `nullif(split_part(tok, '.', 3), '-')::uuid`),
  verifyingFunction('current_app_role', 'text', `split_part(tok, '.', 4)`),
  claimFunction('claimed_tenant_id', 2, ''),
  claimFunction('claimed_user_id', 3, '-'),
];

/**
 * The token's claims read without verifying them, for column defaults: a default only proposes a
 * value, and the policies check the row against the verified context (WITH CHECK), so a forged
 * claim fails the insert as it would have without a default. Each verification costs a statement
 * some 150k server instructions (bench section 8), and an insert that filled tenant_id and
 * created_by from the verifying functions paid two more per row. SQL functions the planner inlines:
 * no SECURITY DEFINER, no SET clause, every function schema-qualified.
 */
function claimFunction(name: string, part: number, blank: string): string {
  return `
CREATE OR REPLACE FUNCTION tenancy.${name}() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $fn$
  SELECT NULLIF(pg_catalog.split_part(pg_catalog.current_setting('${CONTEXT_SETTING}', true), '.', ${part}), '${blank}')::uuid
$fn$`;
}

export const CONTEXT_FUNCTION_NAMES = ['current_tenant_id', 'current_user_id', 'current_app_role', 'claimed_tenant_id', 'claimed_user_id'] as const;
