-- Sign-in lookups get a login role of their own, app_auth, which tenant requests never use: SQL injected into a
-- tenant request runs as app_user, which can no longer read any user's password hash by email (auth_user) or any
-- user's tenants (user_memberships). app_operator loses them too: the admin app reads public.users and
-- public.memberships directly, never through these functions.
--
-- app_auth may execute these two functions and nothing else: no table, no tenancy schema, no role membership.
-- No password here: prepareDatabase() (packages/db/src/auth/role.ts) creates the role first with a SCRAM verifier
-- of AUTH_DATABASE_URL's password, so the plain password never appears in SQL text. The role is created here too,
-- without a password (it cannot log in until prepareDatabase() sets one), for a database migrated on its own.
DO $auth_role$
BEGIN
  CREATE ROLE app_auth LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$auth_role$;--> statement-breakpoint

REVOKE EXECUTE ON FUNCTION public.auth_user(text), public.user_memberships(uuid) FROM app_user, app_operator;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.auth_user(text), public.user_memberships(uuid) TO app_auth;--> statement-breakpoint

-- The deployment's database may revoke CONNECT from PUBLIC: app_auth still has to log in here.
DO $auth_connect$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO app_auth', current_database());
END
$auth_connect$;
