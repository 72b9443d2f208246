-- Sign-up, email verification and password reset. The web app holds no admin credentials: everything here is a
-- SECURITY DEFINER function that only app_auth (the web's account role, which tenant requests never use) may execute.
-- Tokens reach these functions as the sha256 (hex) of the emailed token, never the token itself; the table keeps only
-- that hash, and no runtime role may read it.
--
-- SQLSTATEs the app maps to messages: 22023 bad input, TA010 the email is taken, TA020 a link that is unknown, used,
-- expired or of another purpose (one answer for all four: no oracle).
REVOKE ALL ON public.account_tokens FROM PUBLIC;--> statement-breakpoint

-- A new user (unconfirmed), a new rls organisation and the user as its first admin, in one transaction. The tenant row
-- is what the tenancy library's createTenant() leaves for an rls tenant: the shared tables' placement (schema public,
-- no database, no role), the shared tables' migration version, and `active` (an rls tenant has nothing to provision).
-- The slug is the app's proposal or, when taken, the first free `<slug>_<n>`.
CREATE OR REPLACE FUNCTION public.sign_up(p_email text, p_name text, p_password_hash text, p_org_name text, p_slug text)
RETURNS TABLE (user_id uuid, tenant_id uuid, tenant_slug text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_user uuid;
  v_tenant uuid;
  v_slug text;
  v_version text;
  v_n int := 1;
BEGIN
  IF p_email IS NULL OR length(p_email) > 320 OR p_email !~ '^[^@\s]+@[^@\s]+$' THEN
    RAISE EXCEPTION 'a valid email address is needed' USING ERRCODE = '22023';
  END IF;
  IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 OR p_org_name IS NULL OR length(btrim(p_org_name)) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'name and organisation name must have 1 to 200 characters' USING ERRCODE = '22023';
  END IF;
  IF p_password_hash IS NULL OR p_password_hash NOT LIKE '$argon2id$%' THEN
    RAISE EXCEPTION 'the password must be stored as an argon2id hash' USING ERRCODE = '22023';
  END IF;
  IF p_slug IS NULL OR p_slug !~ '^[a-z][a-z0-9_]{1,47}$' THEN
    RAISE EXCEPTION 'invalid organisation slug' USING ERRCODE = '22023';
  END IF;
  -- Two sign-ups for one address at once: the second waits and then finds the first.
  PERFORM pg_advisory_xact_lock(hashtext('public.sign_up'), hashtext(lower(p_email)));
  IF EXISTS (SELECT 1 FROM public.users u WHERE lower(u.email) = lower(p_email)) THEN
    RAISE EXCEPTION 'the email is taken' USING ERRCODE = 'TA010';
  END IF;
  SELECT max(m.tag) INTO v_version FROM public.__tenant_migrations m;
  v_slug := p_slug;
  LOOP
    BEGIN
      INSERT INTO tenancy.tenants (slug, name, strategy, status, schema_name, database_name, role_name, schema_version)
      VALUES (v_slug, btrim(p_org_name), 'rls', 'active', 'public', NULL, NULL, v_version)
      RETURNING id INTO v_tenant;
      EXIT;
    EXCEPTION WHEN unique_violation THEN
      v_n := v_n + 1;
      IF v_n > 100 THEN
        RAISE EXCEPTION 'no free slug near %', p_slug USING ERRCODE = '22023';
      END IF;
      v_slug := left(p_slug, 47 - length(v_n::text)) || '_' || v_n;
    END;
  END LOOP;
  INSERT INTO public.users (email, name, password_hash, email_verified_at)
  VALUES (btrim(p_email), btrim(p_name), p_password_hash, NULL) RETURNING id INTO v_user;
  INSERT INTO public.memberships (user_id, tenant_id, role) VALUES (v_user, v_tenant, 'owner');
  RETURN QUERY SELECT v_user, v_tenant, v_slug;
END
$fn$;--> statement-breakpoint

-- A new token for an emailed link (the queue's worker makes it, so no job payload carries it). Earlier unused tokens of
-- the same purpose stop working: only the newest link counts. No row for an unknown user (or, for verify-email, one
-- already confirmed): the caller then sends nothing.
CREATE OR REPLACE FUNCTION public.issue_account_token(p_user uuid, p_purpose text, p_token_hash text, p_ttl_seconds integer)
RETURNS TABLE (email text, name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF p_purpose IS NULL OR p_purpose NOT IN ('verify-email', 'reset-password') THEN
    RAISE EXCEPTION 'unknown token purpose' USING ERRCODE = '22023';
  END IF;
  IF p_token_hash IS NULL OR p_token_hash !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'the token must be given as its sha256, in hex' USING ERRCODE = '22023';
  END IF;
  IF p_ttl_seconds IS NULL OR p_ttl_seconds NOT BETWEEN 60 AND 7 * 86400 THEN
    RAISE EXCEPTION 'a token lives between a minute and a week' USING ERRCODE = '22023';
  END IF;
  PERFORM 1 FROM public.users u WHERE u.id = p_user AND (p_purpose <> 'verify-email' OR u.email_verified_at IS NULL) FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  UPDATE public.account_tokens t SET used_at = now() WHERE t.user_id = p_user AND t.purpose = p_purpose AND t.used_at IS NULL;
  INSERT INTO public.account_tokens (user_id, purpose, token_hash, expires_at)
  VALUES (p_user, p_purpose, p_token_hash, now() + make_interval(secs => p_ttl_seconds));
  RETURN QUERY SELECT u.email, u.name FROM public.users u WHERE u.id = p_user;
END
$fn$;--> statement-breakpoint

-- Uses a token once: the user it was issued to, or TA020 when it is unknown, used, expired or of another purpose.
CREATE OR REPLACE FUNCTION public.use_account_token(p_purpose text, p_token_hash text)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_user uuid;
BEGIN
  UPDATE public.account_tokens t SET used_at = now()
   WHERE t.token_hash = p_token_hash AND t.purpose = p_purpose AND t.used_at IS NULL AND t.expires_at > now()
  RETURNING t.user_id INTO v_user;
  IF v_user IS NULL THEN
    RAISE EXCEPTION 'this link is invalid, used or expired' USING ERRCODE = 'TA020';
  END IF;
  RETURN v_user;
END
$fn$;--> statement-breakpoint

-- The emailed sign-up link: the address is confirmed and the user may sign in.
CREATE OR REPLACE FUNCTION public.verify_email(p_token_hash text)
RETURNS TABLE (user_id uuid, email text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_user uuid := public.use_account_token('verify-email', p_token_hash);
BEGIN
  UPDATE public.users u SET email_verified_at = coalesce(u.email_verified_at, now()) WHERE u.id = v_user;
  RETURN QUERY SELECT u.id, u.email FROM public.users u WHERE u.id = v_user;
END
$fn$;--> statement-breakpoint

-- The emailed reset link: a new password, and every session of the user ends (the password-change trigger of
-- 0006_sessions, with no session kept). Reading the mail also proves the address. Other reset links stop working.
CREATE OR REPLACE FUNCTION public.reset_password(p_token_hash text, p_password_hash text)
RETURNS TABLE (user_id uuid, email text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_user uuid;
BEGIN
  IF p_password_hash IS NULL OR p_password_hash NOT LIKE '$argon2id$%' THEN
    RAISE EXCEPTION 'the password must be stored as an argon2id hash' USING ERRCODE = '22023';
  END IF;
  v_user := public.use_account_token('reset-password', p_token_hash);
  UPDATE public.account_tokens t SET used_at = now() WHERE t.user_id = v_user AND t.purpose = 'reset-password' AND t.used_at IS NULL;
  PERFORM set_config('auth.keep_session', '', true);
  UPDATE public.users u SET password_hash = p_password_hash, email_verified_at = coalesce(u.email_verified_at, now()) WHERE u.id = v_user;
  RETURN QUERY SELECT u.id, u.email FROM public.users u WHERE u.id = v_user;
END
$fn$;--> statement-breakpoint

-- Whether a user has confirmed their address: sign-in refuses those who have not.
CREATE OR REPLACE FUNCTION public.email_verified(p_user uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT u.email_verified_at IS NOT NULL FROM public.users u WHERE u.id = p_user
$fn$;--> statement-breakpoint

REVOKE ALL ON FUNCTION public.sign_up(text, text, text, text, text), public.issue_account_token(uuid, text, text, integer),
  public.use_account_token(text, text), public.verify_email(text), public.reset_password(text, text), public.email_verified(uuid) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.sign_up(text, text, text, text, text), public.issue_account_token(uuid, text, text, integer),
  public.verify_email(text), public.reset_password(text, text), public.email_verified(uuid) TO app_auth;
