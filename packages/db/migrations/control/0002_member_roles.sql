-- Admins change members' roles from the web app. The app role cannot write memberships, so the change
-- goes through this function, which trusts only the verified tenant context: it changes a membership
-- of tenancy.current_tenant_id() and nothing else, only for a caller whose context says admin AND whose
-- own membership row says admin, and never leaves a tenant without an admin.
--
-- SQLSTATEs the app maps to messages: 42501 not allowed, P0002 no such member, 22023 bad role,
-- TA001 the last admin would be demoted.
CREATE OR REPLACE FUNCTION public.set_member_role(p_user uuid, p_role text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
  v_caller uuid := tenancy.current_user_id();
  v_previous text;
BEGIN
  IF v_tenant IS NULL OR v_caller IS NULL THEN
    RAISE EXCEPTION 'set_member_role needs a verified tenant context with a user' USING ERRCODE = '42501';
  END IF;
  IF tenancy.current_app_role() IS DISTINCT FROM 'admin' THEN
    RAISE EXCEPTION 'only an admin of the tenant may change roles' USING ERRCODE = '42501';
  END IF;
  IF p_role IS NULL OR p_role NOT IN ('admin', 'member', 'viewer') THEN
    RAISE EXCEPTION 'role must be admin, member or viewer' USING ERRCODE = '22023';
  END IF;
  -- One role change per tenant at a time: two admins demoting each other at once must not both succeed.
  PERFORM pg_advisory_xact_lock(hashtext('public.set_member_role'), hashtext(v_tenant::text));
  -- The context's role is the app's claim; the membership table is the authority.
  PERFORM 1 FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = v_caller AND m.role = 'admin';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'only an admin of the tenant may change roles' USING ERRCODE = '42501';
  END IF;
  SELECT m.role INTO v_previous FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such member in this tenant' USING ERRCODE = 'P0002';
  END IF;
  IF v_previous = 'admin' AND p_role <> 'admin'
     AND (SELECT count(*) FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.role = 'admin') <= 1 THEN
    RAISE EXCEPTION 'a tenant needs at least one admin' USING ERRCODE = 'TA001';
  END IF;
  UPDATE public.memberships m SET role = p_role WHERE m.tenant_id = v_tenant AND m.user_id = p_user;
  RETURN v_previous;
END
$fn$;--> statement-breakpoint

REVOKE ALL ON FUNCTION public.set_member_role(uuid, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.set_member_role(uuid, text) TO app_user;
