CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"scope" text NOT NULL,
	"name" text NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_scope_valid" CHECK ("api_keys"."scope" in ('read', 'write')),
	CONSTRAINT "api_keys_name_length" CHECK (length("api_keys"."name") between 1 and 100),
	CONSTRAINT "api_keys_prefix_format" CHECK ("api_keys"."prefix" ~ '^tk_[A-Za-z0-9]{8}$'),
	CONSTRAINT "api_keys_secret_hash_format" CHECK ("api_keys"."secret_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "api_rate_limits" (
	"key" varchar(255) PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys" USING btree ("prefix");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys" USING btree ("secret_hash");--> statement-breakpoint
CREATE INDEX "api_keys_tenant_idx" ON "api_keys" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "api_rate_limits_expire_idx" ON "api_rate_limits" USING btree ("expire");--> statement-breakpoint

-- A key belongs to an organisation of the catalog, which the tenancy library (not drizzle) owns; it goes with it.
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_fk" FOREIGN KEY ("tenant_id") REFERENCES tenancy.tenants ("id") ON DELETE CASCADE;--> statement-breakpoint

-- No role reads or writes these tables directly. app_user (tenant requests: assume hostile SQL) goes through the three
-- functions below, which see only the verified tenant context's keys and never return a hash; app_auth resolves a
-- presented key through public.resolve_api_key and counts requests per key in api_rate_limits.
REVOKE ALL ON public.api_keys, public.api_rate_limits FROM PUBLIC;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON public.api_rate_limits TO app_auth;--> statement-breakpoint

-- Who may manage keys: the context's role says owner or admin AND the membership table agrees (the context's role is
-- the app's claim; the membership is the authority). 42501 otherwise. Each function below calls it first and then
-- names tenancy.current_tenant_id() itself, so that each is visibly scoped by the context (tenancy.audit() reads that).
CREATE OR REPLACE FUNCTION public.api_key_manager()
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
  v_caller uuid := tenancy.current_user_id();
BEGIN
  IF v_tenant IS NULL OR v_caller IS NULL THEN
    RAISE EXCEPTION 'API keys need a verified tenant context with a user' USING ERRCODE = '42501';
  END IF;
  IF tenancy.current_app_role() IS NULL OR tenancy.current_app_role() NOT IN ('owner', 'admin') THEN
    RAISE EXCEPTION 'only an owner or admin of the organisation may manage API keys' USING ERRCODE = '42501';
  END IF;
  PERFORM 1 FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = v_caller AND m.role IN ('owner', 'admin');
  IF NOT FOUND THEN
    RAISE EXCEPTION 'only an owner or admin of the organisation may manage API keys' USING ERRCODE = '42501';
  END IF;
END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.api_key_manager() FROM PUBLIC;--> statement-breakpoint

-- A new key of the context's organisation, created by the context's user. The app makes the secret and sends only its
-- sha256 and public prefix: the key itself never reaches the database. 22023 for a bad scope, name or format.
CREATE OR REPLACE FUNCTION public.create_api_key(p_name text, p_scope text, p_prefix text, p_secret_hash text)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
  v_id uuid;
BEGIN
  PERFORM public.api_key_manager();
  IF p_scope IS NULL OR p_scope NOT IN ('read', 'write') THEN
    RAISE EXCEPTION 'scope must be read or write' USING ERRCODE = '22023';
  END IF;
  IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 100 THEN
    RAISE EXCEPTION 'a key needs a name of 1 to 100 characters' USING ERRCODE = '22023';
  END IF;
  IF p_prefix IS NULL OR p_prefix !~ '^tk_[A-Za-z0-9]{8}$' OR p_secret_hash IS NULL OR p_secret_hash !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'a key is stored as its prefix and the hex sha256 of the whole key' USING ERRCODE = '22023';
  END IF;
  INSERT INTO public.api_keys (tenant_id, prefix, secret_hash, scope, name, created_by)
  VALUES (v_tenant, p_prefix, p_secret_hash, p_scope, btrim(p_name), tenancy.current_user_id())
  RETURNING id INTO v_id;
  RETURN v_id;
END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.create_api_key(text, text, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.create_api_key(text, text, text, text) TO app_user;--> statement-breakpoint

-- The context organisation's keys, newest first, for its owners and admins: never a hash, never another organisation's.
CREATE OR REPLACE FUNCTION public.tenant_api_keys()
RETURNS TABLE (id uuid, prefix text, name text, scope text, created_by uuid, created_by_name text, created_at timestamptz, last_used_at timestamptz, revoked_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
BEGIN
  PERFORM public.api_key_manager();
  RETURN QUERY
    SELECT k.id, k.prefix, k.name, k.scope, k.created_by, u.name, k.created_at, k.last_used_at, k.revoked_at
      FROM public.api_keys k JOIN public.users u ON u.id = k.created_by
     WHERE k.tenant_id = v_tenant
     ORDER BY k.created_at DESC, k.id;
END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.tenant_api_keys() FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.tenant_api_keys() TO app_user;--> statement-breakpoint

-- Revokes a key of the context's organisation (P0002: no such key there, whether it is another organisation's or none).
-- Revoking twice keeps the first time.
CREATE OR REPLACE FUNCTION public.revoke_api_key(p_id uuid)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
  v_revoked timestamptz;
BEGIN
  PERFORM public.api_key_manager();
  UPDATE public.api_keys k SET revoked_at = coalesce(k.revoked_at, now())
   WHERE k.id = p_id AND k.tenant_id = v_tenant
  RETURNING k.revoked_at INTO v_revoked;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such API key in this organisation' USING ERRCODE = 'P0002';
  END IF;
  RETURN v_revoked;
END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.revoke_api_key(uuid) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.revoke_api_key(uuid) TO app_user;--> statement-breakpoint

-- What a presented key may do, found by the sha256 of the whole key, for app_auth only (the role that resolves
-- credentials before any tenant is known): a row only for a key that is not revoked, of an organisation that serves
-- (active, or paused by a move that its requests wait out), whose creator is still a member. The key acts as its
-- creator: `role` is `viewer` for a read key and the creator's CURRENT role for a write key, so a key never outranks
-- the person who made it. last_used_at is written at most once a minute per key, not on every request.
CREATE OR REPLACE FUNCTION public.resolve_api_key(p_secret_hash text)
RETURNS TABLE (key_id uuid, tenant_id uuid, scope text, user_id uuid, role text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_key public.api_keys%ROWTYPE;
  v_role text;
BEGIN
  SELECT k.* INTO v_key FROM public.api_keys k WHERE k.secret_hash = p_secret_hash AND k.revoked_at IS NULL;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT m.role INTO v_role
    FROM public.memberships m JOIN tenancy.tenants t ON t.id = m.tenant_id
   WHERE m.tenant_id = v_key.tenant_id AND m.user_id = v_key.created_by AND t.status IN ('active', 'moving');
  IF NOT FOUND THEN
    RETURN;
  END IF;
  UPDATE public.api_keys k SET last_used_at = now()
   WHERE k.id = v_key.id AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
  key_id := v_key.id;
  tenant_id := v_key.tenant_id;
  scope := v_key.scope;
  user_id := v_key.created_by;
  role := CASE v_key.scope WHEN 'write' THEN v_role ELSE 'viewer' END;
  RETURN NEXT;
END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.resolve_api_key(text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.resolve_api_key(text) TO app_auth;
