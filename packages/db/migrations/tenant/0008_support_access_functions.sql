-- Support access, written only through these owner's functions (no policy lets a runtime role write support_access).
-- Each trusts only the verified context: the operator is the `support` context's user id, the approver an owner's or
-- admin's; every step is written to the activity log in its own transaction. Like 0005, each names its placement's
-- tables through the search_path it was created with.
ALTER TABLE "support_access" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- One open request per operator and tenant: a request cannot be repeated to flood the owners' list.
CREATE UNIQUE INDEX "support_access_one_open_request" ON "support_access" ("tenant_id", "operator_id") WHERE approved_at IS NULL AND revoked_at IS NULL;--> statement-breakpoint
CREATE FUNCTION support_access_log(p_action text, p_subject uuid, p_detail jsonb) RETURNS void
LANGUAGE sql VOLATILE
SET search_path FROM CURRENT
AS $fn$
  INSERT INTO activity_log (tenant_id, actor_id, actor_kind, action, subject_type, subject_id, detail)
  VALUES (tenancy.current_tenant_id(), tenancy.current_user_id(), activity_actor_kind(), p_action, 'support_access', p_subject, p_detail)
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION support_access_log(text, uuid, jsonb) FROM PUBLIC;--> statement-breakpoint
-- An operator asks (in a `support` context signed by the operator app, whose user id is the operator's).
CREATE FUNCTION support_access_request(p_operator_email text, p_reason text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path FROM CURRENT
AS $fn$
DECLARE
  tenant uuid := tenancy.current_tenant_id();
  operator uuid := tenancy.current_user_id();
  request uuid := gen_random_uuid();
BEGIN
  IF tenant IS NULL OR operator IS NULL OR tenancy.current_app_role() IS DISTINCT FROM 'support' THEN
    RAISE EXCEPTION 'only a support operator''s context may request support access' USING ERRCODE = '42501';
  END IF;
  INSERT INTO support_access (tenant_id, id, operator_id, operator_email, reason) VALUES (tenant, request, operator, p_operator_email, p_reason);
  PERFORM support_access_log('support.requested', request, jsonb_build_object('reason', left(p_reason, 500)));
  RETURN request;
END
$fn$;--> statement-breakpoint
-- An owner or admin approves an open request for 1 to 60 minutes from now.
CREATE FUNCTION support_access_approve(p_request uuid, p_minutes integer) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path FROM CURRENT
AS $fn$
DECLARE
  ends timestamptz;
BEGIN
  IF tenancy.current_tenant_id() IS NULL OR tenancy.current_user_id() IS NULL OR tenancy.current_app_role() NOT IN ('owner', 'admin') THEN
    RAISE EXCEPTION 'only an owner or admin may approve support access' USING ERRCODE = '42501';
  END IF;
  IF p_minutes IS NULL OR p_minutes NOT BETWEEN 1 AND 60 THEN
    RAISE EXCEPTION 'support access lasts 1 to 60 minutes, not %', p_minutes USING ERRCODE = '22023';
  END IF;
  UPDATE support_access SET approved_by = tenancy.current_user_id(), approved_at = now(), expires_at = now() + make_interval(mins => p_minutes)
   WHERE id = p_request AND approved_at IS NULL AND revoked_at IS NULL
  RETURNING expires_at INTO ends;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no open support request %', p_request USING ERRCODE = 'P0002';
  END IF;
  PERFORM support_access_log('support.approved', p_request, jsonb_build_object('minutes', p_minutes));
  RETURN ends;
END
$fn$;--> statement-breakpoint
-- An owner or admin ends a grant (or declines a request) at any time.
CREATE FUNCTION support_access_revoke(p_request uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path FROM CURRENT
AS $fn$
BEGIN
  IF tenancy.current_tenant_id() IS NULL OR tenancy.current_user_id() IS NULL OR tenancy.current_app_role() NOT IN ('owner', 'admin') THEN
    RAISE EXCEPTION 'only an owner or admin may revoke support access' USING ERRCODE = '42501';
  END IF;
  UPDATE support_access SET revoked_by = tenancy.current_user_id(), revoked_at = now() WHERE id = p_request AND revoked_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no support access % to revoke', p_request USING ERRCODE = 'P0002';
  END IF;
  PERFORM support_access_log('support.revoked', p_request, '{}'::jsonb);
END
$fn$;--> statement-breakpoint
-- The resolution: called first in every transaction that serves an operator's request. It answers when the
-- operator's grant ends and writes the request to the activity log, in the transaction of the reads that follow;
-- with no approved, unrevoked, unexpired grant it refuses (TS001) and the transaction reads nothing.
CREATE FUNCTION support_access_enter(p_path text) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path FROM CURRENT
AS $fn$
DECLARE
  grant_id uuid;
  ends timestamptz;
BEGIN
  IF tenancy.current_tenant_id() IS NULL OR tenancy.current_app_role() IS DISTINCT FROM 'support' THEN
    RAISE EXCEPTION 'only a support operator''s context enters with support access' USING ERRCODE = '42501';
  END IF;
  SELECT id, expires_at INTO grant_id, ends FROM support_access
   WHERE operator_id = tenancy.current_user_id() AND approved_at IS NOT NULL AND revoked_at IS NULL AND expires_at > now()
   ORDER BY expires_at DESC LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no support access to this organisation: ask for it, and wait for an owner or admin to approve it' USING ERRCODE = 'TS001';
  END IF;
  PERFORM support_access_log('support.viewed', grant_id, jsonb_build_object('path', left(coalesce(p_path, ''), 300)));
  RETURN ends;
END
$fn$;
