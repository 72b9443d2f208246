-- Invitations by emailed link. An organisation's admins create, list and revoke them through their tenant context
-- (app_user; the functions trust only tenancy.current_tenant_id() / current_user_id() and re-check the membership
-- table); the job queue's worker issues the link's token and the link's holder accepts it through app_auth. The table
-- itself is readable by no runtime role.
--
-- SQLSTATEs the app maps to messages: 42501 not allowed, 22023 bad input, TA030 already a member, TA020 a link that is
-- unknown, used, revoked or expired, TA031 a link for another address than the signed-in user's, TA010 the invited
-- address already has an account (sign in to accept instead), TA032 no such pending invitation in this organisation.
ALTER TABLE public.invitations ADD CONSTRAINT invitations_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenancy.tenants (id) ON DELETE CASCADE;--> statement-breakpoint
REVOKE ALL ON public.invitations FROM PUBLIC;--> statement-breakpoint

-- The caller's admin rights in the verified context's tenant, or 42501. Owner counts as admin (the roles' migration).
CREATE OR REPLACE FUNCTION public.invitation_admin_tenant()
RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := tenancy.current_tenant_id();
  v_caller uuid := tenancy.current_user_id();
BEGIN
  IF v_tenant IS NULL OR v_caller IS NULL OR tenancy.current_app_role() NOT IN ('admin', 'owner') THEN
    RAISE EXCEPTION 'only an admin of the organisation may manage invitations' USING ERRCODE = '42501';
  END IF;
  PERFORM 1 FROM public.memberships m WHERE m.tenant_id = v_tenant AND m.user_id = v_caller AND m.role IN ('admin', 'owner');
  IF NOT FOUND THEN
    RAISE EXCEPTION 'only an admin of the organisation may manage invitations' USING ERRCODE = '42501';
  END IF;
  RETURN v_tenant;
END
$fn$;--> statement-breakpoint

-- A new invitation of the context's tenant (its token comes later, from the worker). A pending invitation of the same
-- address is replaced: only the newest link counts.
CREATE OR REPLACE FUNCTION public.create_invitation(p_email text, p_role text)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_tenant uuid := public.invitation_admin_tenant();
  v_id uuid;
BEGIN
  IF p_email IS NULL OR length(p_email) > 320 OR p_email !~ '^[^@\s]+@[^@\s]+$' THEN
    RAISE EXCEPTION 'a valid email address is needed' USING ERRCODE = '22023';
  END IF;
  IF p_role IS NULL OR p_role NOT IN ('admin', 'member', 'viewer') THEN
    RAISE EXCEPTION 'role must be admin, member or viewer' USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM public.memberships m JOIN public.users u ON u.id = m.user_id WHERE m.tenant_id = v_tenant AND lower(u.email) = lower(p_email)) THEN
    RAISE EXCEPTION 'already a member of this organisation' USING ERRCODE = 'TA030';
  END IF;
  UPDATE public.invitations i SET revoked_at = now()
   WHERE i.tenant_id = v_tenant AND lower(i.email) = lower(p_email) AND i.accepted_at IS NULL AND i.revoked_at IS NULL;
  INSERT INTO public.invitations (tenant_id, email, role, invited_by) VALUES (v_tenant, btrim(p_email), p_role, tenancy.current_user_id())
  RETURNING id INTO v_id;
  RETURN v_id;
END
$fn$;--> statement-breakpoint

-- The context's tenant's pending invitations, for its admins (nobody else gets a row).
CREATE OR REPLACE FUNCTION public.tenant_invitations()
RETURNS TABLE (id uuid, email text, role text, created_at timestamptz, expires_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  PERFORM public.invitation_admin_tenant();
  RETURN QUERY SELECT i.id, i.email, i.role, i.created_at, i.expires_at FROM public.invitations i
    WHERE i.tenant_id = tenancy.current_tenant_id() AND i.accepted_at IS NULL AND i.revoked_at IS NULL ORDER BY i.created_at DESC;
END
$fn$;--> statement-breakpoint

CREATE OR REPLACE FUNCTION public.revoke_invitation(p_id uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  PERFORM public.invitation_admin_tenant();
  UPDATE public.invitations i SET revoked_at = now() WHERE i.id = p_id AND i.tenant_id = tenancy.current_tenant_id() AND i.accepted_at IS NULL AND i.revoked_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such pending invitation in this organisation' USING ERRCODE = 'TA032';
  END IF;
END
$fn$;--> statement-breakpoint

-- The worker's step: the link's token (as its sha256) for a pending invitation of the job's tenant; what to mail.
CREATE OR REPLACE FUNCTION public.issue_invitation_token(p_tenant uuid, p_invitation uuid, p_token_hash text, p_ttl_seconds integer)
RETURNS TABLE (email text, role text, organisation text, inviter text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF p_token_hash IS NULL OR p_token_hash !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'the token must be given as its sha256, in hex' USING ERRCODE = '22023';
  END IF;
  IF p_ttl_seconds IS NULL OR p_ttl_seconds NOT BETWEEN 60 AND 30 * 86400 THEN
    RAISE EXCEPTION 'an invitation lives between a minute and 30 days' USING ERRCODE = '22023';
  END IF;
  UPDATE public.invitations i SET token_hash = p_token_hash, expires_at = now() + make_interval(secs => p_ttl_seconds)
   WHERE i.id = p_invitation AND i.tenant_id = p_tenant AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.token_hash IS NULL;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT i.email, i.role, t.name, coalesce(u.name, 'An admin')
    FROM public.invitations i JOIN tenancy.tenants t ON t.id = i.tenant_id LEFT JOIN public.users u ON u.id = i.invited_by
   WHERE i.id = p_invitation;
END
$fn$;--> statement-breakpoint

-- What the link's page shows: the organisation and the invited address, while the link works. Nothing otherwise.
CREATE OR REPLACE FUNCTION public.invitation_by_token(p_token_hash text)
RETURNS TABLE (email text, role text, organisation text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT i.email, i.role, t.name FROM public.invitations i JOIN tenancy.tenants t ON t.id = i.tenant_id
   WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now() AND t.status = 'active'
$fn$;--> statement-breakpoint

-- Uses an invitation's link once: the row, locked, or TA020.
CREATE OR REPLACE FUNCTION public.claim_invitation(p_token_hash text)
RETURNS public.invitations
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_row public.invitations;
BEGIN
  SELECT i.* INTO v_row FROM public.invitations i
   WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now() FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'this invitation is invalid, used, revoked or expired' USING ERRCODE = 'TA020';
  END IF;
  RETURN v_row;
END
$fn$;--> statement-breakpoint

-- A signed-in user accepts: only with the invited address. The membership and the acceptance in one transaction; the
-- address counts as confirmed (the link reached it).
CREATE OR REPLACE FUNCTION public.accept_invitation(p_token_hash text, p_user uuid)
RETURNS TABLE (tenant_id uuid, tenant_slug text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_inv public.invitations := public.claim_invitation(p_token_hash);
BEGIN
  PERFORM 1 FROM public.users u WHERE u.id = p_user AND lower(u.email) = lower(v_inv.email);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'this invitation is for another address' USING ERRCODE = 'TA031';
  END IF;
  INSERT INTO public.memberships (user_id, tenant_id, role) VALUES (p_user, v_inv.tenant_id, v_inv.role) ON CONFLICT DO NOTHING;
  UPDATE public.invitations i SET accepted_at = now(), accepted_by = p_user WHERE i.id = v_inv.id;
  UPDATE public.users u SET email_verified_at = coalesce(u.email_verified_at, now()) WHERE u.id = p_user;
  RETURN QUERY SELECT t.id, t.slug FROM tenancy.tenants t WHERE t.id = v_inv.tenant_id;
END
$fn$;--> statement-breakpoint

-- An invitee without an account signs up through the link: the account gets the invited address (confirmed: the link
-- reached it) and the membership, and the link is used.
CREATE OR REPLACE FUNCTION public.sign_up_invited(p_token_hash text, p_name text, p_password_hash text)
RETURNS TABLE (user_id uuid, email text, tenant_slug text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_inv public.invitations := public.claim_invitation(p_token_hash);
  v_user uuid;
BEGIN
  IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'name must have 1 to 200 characters' USING ERRCODE = '22023';
  END IF;
  IF p_password_hash IS NULL OR p_password_hash NOT LIKE '$argon2id$%' THEN
    RAISE EXCEPTION 'the password must be stored as an argon2id hash' USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('public.sign_up'), hashtext(lower(v_inv.email)));
  IF EXISTS (SELECT 1 FROM public.users u WHERE lower(u.email) = lower(v_inv.email)) THEN
    RAISE EXCEPTION 'the invited address has an account: sign in to accept' USING ERRCODE = 'TA010';
  END IF;
  INSERT INTO public.users (email, name, password_hash, email_verified_at) VALUES (v_inv.email, btrim(p_name), p_password_hash, now())
  RETURNING id INTO v_user;
  INSERT INTO public.memberships (user_id, tenant_id, role) VALUES (v_user, v_inv.tenant_id, v_inv.role);
  UPDATE public.invitations i SET accepted_at = now(), accepted_by = v_user WHERE i.id = v_inv.id;
  RETURN QUERY SELECT v_user, v_inv.email, t.slug FROM tenancy.tenants t WHERE t.id = v_inv.tenant_id;
END
$fn$;--> statement-breakpoint

REVOKE ALL ON FUNCTION public.invitation_admin_tenant(), public.create_invitation(text, text), public.tenant_invitations(),
  public.revoke_invitation(uuid), public.issue_invitation_token(uuid, uuid, text, integer), public.invitation_by_token(text),
  public.claim_invitation(text), public.accept_invitation(text, uuid), public.sign_up_invited(text, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.create_invitation(text, text), public.tenant_invitations(), public.revoke_invitation(uuid) TO app_user;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.issue_invitation_token(uuid, uuid, text, integer), public.invitation_by_token(text),
  public.accept_invitation(text, uuid), public.sign_up_invited(text, text, text) TO app_auth;
