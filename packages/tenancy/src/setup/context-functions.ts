/**
 * SQL of the context functions. Each verifies the whole token itself instead of calling a shared
 * helper: policies call one of them once per statement (as an initplan), and a second SECURITY
 * DEFINER call per statement is the dearest part of the check (DESIGN.md, "What the context costs").
 */

export const CONTEXT_SETTING = 'tenancy.context';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const TOKEN_PATTERN = `^v1\\.${UUID}\\.(-|${UUID})\\.[a-z][a-z0-9_]{0,31}\\.[0-9]{1,12}\\.[0-9a-f]{64}$`;

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
  -- Missing, malformed, expired or forged: NULL, so a policy comparing against it matches no row.
  IF tok IS NULL OR tok !~ '${TOKEN_PATTERN}' THEN
    RETURN NULL;
  END IF;
  IF split_part(tok, '.', 5)::bigint <= extract(epoch FROM now()) THEN
    RETURN NULL;
  END IF;
  SELECT ipad, opad INTO k FROM tenancy.context_key WHERE id = 1;
  IF NOT FOUND OR sha256(k.opad || sha256(k.ipad || convert_to(left(tok, length(tok) - 65), 'UTF8'))) <> decode(right(tok, 64), 'hex') THEN
    RETURN NULL;
  END IF;
  RETURN ${value};
END
$fn$`;
}

export const CONTEXT_FUNCTIONS: readonly string[] = [
  verifyingFunction('current_tenant_id', 'uuid', `split_part(tok, '.', 2)::uuid`),
  verifyingFunction('current_user_id', 'uuid', `nullif(split_part(tok, '.', 3), '-')::uuid`),
  verifyingFunction('current_app_role', 'text', `split_part(tok, '.', 4)`),
];

export const CONTEXT_FUNCTION_NAMES = ['current_tenant_id', 'current_user_id', 'current_app_role'] as const;
