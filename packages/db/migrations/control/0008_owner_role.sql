ALTER TABLE "memberships" DROP CONSTRAINT "memberships_role_valid";--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_role_valid" CHECK ("memberships"."role" in ('owner', 'admin', 'member', 'viewer'));--> statement-breakpoint

-- A tenant's owners: an owner may do all an admin may, and also change or remove owners and make someone owner; a
-- tenant keeps at least one owner. A tenant migrated from before owners existed gets its longest-standing admin as
-- owner, so every tenant with an admin can still name owners.
UPDATE public.memberships m SET role = 'owner'
  FROM (SELECT DISTINCT ON (a.tenant_id) a.tenant_id, a.user_id
          FROM public.memberships a
         WHERE a.role = 'admin'
           AND NOT EXISTS (SELECT 1 FROM public.memberships o WHERE o.tenant_id = a.tenant_id AND o.role = 'owner')
         ORDER BY a.tenant_id, a.created_at, a.user_id) first_admin
 WHERE m.tenant_id = first_admin.tenant_id AND m.user_id = first_admin.user_id;--> statement-breakpoint

-- The caller of a member function, as the membership table and the verified context both say: the context's role is
-- the app's claim (signed, but it may be stale or wrong), the membership row is the authority, and the caller acts
-- with the lesser of the two. Takes the tenant's member lock first: every change to a tenant's memberships made
-- through these functions is serialised, so two owners demoting each other at once cannot both succeed, and each
-- check below reads what the one before committed. NULL when the context has no tenant or user, or the caller is no
-- member. Called only by the SECURITY DEFINER functions below (as their owner); nobody else may execute it.
CREATE OR REPLACE FUNCTION public.member_acting_role()
RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
  v_caller uuid := tenancy.current_user_id();
  v_claimed text := tenancy.current_app_role();
  v_stored text;
  v_rank constant text[] := ARRAY['owner', 'admin', 'member', 'viewer'];
BEGIN
  IF v_tenant IS NULL OR v_caller IS NULL OR NOT (v_claimed = ANY (v_rank)) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('public.memberships'), hashtext(v_tenant::text));
  SELECT m.role INTO v_stored FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = v_caller FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  RETURN v_rank[greatest(array_position(v_rank, v_claimed), array_position(v_rank, v_stored))];
END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.member_acting_role() FROM PUBLIC;--> statement-breakpoint

-- Changes a member's role in the tenant of the verified context and nothing else. Owners may set any role, owner
-- included; admins may set admin, member or viewer on members who are not owners; nobody demotes the last owner.
--
-- SQLSTATEs the app maps to messages (the same for remove_member and leave_organisation): 42501 not an owner or admin
-- of this tenant, TA002 only an owner may change, remove or make an owner, P0002 no such member, 22023 bad role,
-- TA001 the tenant's last owner.
CREATE OR REPLACE FUNCTION public.set_member_role(p_user uuid, p_role text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
  v_acting text;
  v_previous text;
BEGIN
  v_acting := public.member_acting_role();
  IF v_acting IS NULL OR v_acting NOT IN ('owner', 'admin') THEN
    RAISE EXCEPTION 'only an owner or an admin of the tenant may change roles' USING ERRCODE = '42501';
  END IF;
  IF p_role IS NULL OR p_role NOT IN ('owner', 'admin', 'member', 'viewer') THEN
    RAISE EXCEPTION 'role must be owner, admin, member or viewer' USING ERRCODE = '22023';
  END IF;
  SELECT m.role INTO v_previous FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such member in this tenant' USING ERRCODE = 'P0002';
  END IF;
  IF v_acting <> 'owner' AND (v_previous = 'owner' OR p_role = 'owner') THEN
    RAISE EXCEPTION 'only an owner may change an owner''s role or make someone owner' USING ERRCODE = 'TA002';
  END IF;
  IF v_previous = 'owner' AND p_role <> 'owner'
     AND (SELECT count(*) FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.role = 'owner') <= 1 THEN
    RAISE EXCEPTION 'a tenant needs at least one owner' USING ERRCODE = 'TA001';
  END IF;
  UPDATE public.memberships m SET role = p_role WHERE m.tenant_id = v_tenant AND m.user_id = p_user;
  RETURN v_previous;
END
$fn$;--> statement-breakpoint

-- Removes a member from the tenant of the verified context: owners remove anyone but the last owner, admins anyone
-- but an owner. The membership trigger (0006) ends the removed user's sessions. Returns the removed member's role.
CREATE OR REPLACE FUNCTION public.remove_member(p_user uuid)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
  v_acting text := public.member_acting_role();
  v_previous text;
BEGIN
  IF v_acting IS NULL OR v_acting NOT IN ('owner', 'admin') THEN
    RAISE EXCEPTION 'only an owner or an admin of the tenant may remove members' USING ERRCODE = '42501';
  END IF;
  SELECT m.role INTO v_previous FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such member in this tenant' USING ERRCODE = 'P0002';
  END IF;
  IF v_acting <> 'owner' AND v_previous = 'owner' THEN
    RAISE EXCEPTION 'only an owner may remove an owner' USING ERRCODE = 'TA002';
  END IF;
  IF v_previous = 'owner' AND (SELECT count(*) FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.role = 'owner') <= 1 THEN
    RAISE EXCEPTION 'a tenant needs at least one owner' USING ERRCODE = 'TA001';
  END IF;
  DELETE FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = p_user;
  RETURN v_previous;
END
$fn$;--> statement-breakpoint

-- The caller leaves the tenant of the verified context, whatever their role, unless they are its last owner. The
-- membership trigger (0006) ends their sessions.
CREATE OR REPLACE FUNCTION public.leave_organisation()
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
  v_acting text := public.member_acting_role();
BEGIN
  IF v_acting IS NULL THEN
    RAISE EXCEPTION 'leaving needs a verified tenant context with a member of the tenant' USING ERRCODE = '42501';
  END IF;
  IF EXISTS (SELECT 1 FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = tenancy.current_user_id() AND m.role = 'owner')
     AND (SELECT count(*) FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.role = 'owner') <= 1 THEN
    RAISE EXCEPTION 'a tenant needs at least one owner' USING ERRCODE = 'TA001';
  END IF;
  DELETE FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = tenancy.current_user_id();
END
$fn$;--> statement-breakpoint

REVOKE ALL ON FUNCTION public.set_member_role(uuid, text), public.remove_member(uuid), public.leave_organisation() FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.set_member_role(uuid, text), public.remove_member(uuid), public.leave_organisation() TO app_user;
