CREATE TABLE "operator_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"account_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"account_id" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "operator_sessions" ADD CONSTRAINT "operator_sessions_account_id_operators_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."operators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_account_id_users_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "operator_sessions_account_idx" ON "operator_sessions" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "user_sessions_account_idx" ON "user_sessions" USING btree ("account_id");--> statement-breakpoint

-- Each app's sign-in role keeps its own sessions and nothing else: app_auth the web's users', app_operator the
-- operators'. app_user, which serves tenant requests, gets neither: SQL injected into a tenant request cannot revive an
-- ended session or end someone else's.
REVOKE ALL ON public.user_sessions, public.operator_sessions FROM PUBLIC;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON public.user_sessions TO app_auth;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON public.operator_sessions TO app_operator;--> statement-breakpoint

-- A member removed from a tenant (by hand, by an admin tool, or with the tenant itself) is signed out everywhere at
-- once, whichever role removed them: the trigger runs as the owner.
CREATE OR REPLACE FUNCTION public.end_sessions_of_removed_member()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  UPDATE public.user_sessions SET ended_at = now(), end_reason = 'membership-removed'
   WHERE account_id = OLD.user_id AND ended_at IS NULL;
  RETURN NULL;
END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.end_sessions_of_removed_member() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER memberships_end_sessions AFTER DELETE ON public.memberships
  FOR EACH ROW EXECUTE FUNCTION public.end_sessions_of_removed_member();--> statement-breakpoint

-- A changed password ends the account's other sessions: whoever knew the old one is out. The session that made the
-- change may name itself in the transaction-local setting auth.keep_session (public.set_user_password does) and stays.
CREATE OR REPLACE FUNCTION public.end_sessions_on_password_change()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF TG_TABLE_NAME = 'users' THEN
    UPDATE public.user_sessions SET ended_at = now(), end_reason = 'password-changed'
     WHERE account_id = NEW.id AND ended_at IS NULL AND id::text IS DISTINCT FROM current_setting('auth.keep_session', true);
  ELSE
    UPDATE public.operator_sessions SET ended_at = now(), end_reason = 'password-changed'
     WHERE account_id = NEW.id AND ended_at IS NULL AND id::text IS DISTINCT FROM current_setting('auth.keep_session', true);
  END IF;
  RETURN NULL;
END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.end_sessions_on_password_change() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER users_end_sessions_on_password_change AFTER UPDATE OF password_hash ON public.users
  FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash) EXECUTE FUNCTION public.end_sessions_on_password_change();--> statement-breakpoint
CREATE TRIGGER operators_end_sessions_on_password_change AFTER UPDATE OF password_hash ON public.operators
  FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash) EXECUTE FUNCTION public.end_sessions_on_password_change();--> statement-breakpoint

-- How the web changes a user's password (there is no form yet; @repo/auth/password-change calls it after checking the
-- current password): a new argon2id hash, and every other session of the user ends; `p_keep_session`, the session
-- making the change, stays. For app_auth only, which may otherwise write no user.
CREATE OR REPLACE FUNCTION public.set_user_password(p_user uuid, p_password_hash text, p_keep_session uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF p_password_hash IS NULL OR p_password_hash NOT LIKE '$argon2id$%' THEN
    RAISE EXCEPTION 'the password must be stored as an argon2id hash' USING ERRCODE = '22023';
  END IF;
  PERFORM set_config('auth.keep_session', coalesce(p_keep_session::text, ''), true);
  UPDATE public.users SET password_hash = p_password_hash WHERE id = p_user;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such user' USING ERRCODE = 'P0002';
  END IF;
  PERFORM set_config('auth.keep_session', '', true);
END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.set_user_password(uuid, text, uuid) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.set_user_password(uuid, text, uuid) TO app_auth;
