-- Memberships point at the tenancy catalog, which the tenancy library (not drizzle) owns.
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_tenant_fk" FOREIGN KEY ("tenant_id") REFERENCES tenancy.tenants ("id") ON DELETE CASCADE;--> statement-breakpoint

-- The app role reads the control plane only through these functions, never the tables: SQL injected
-- into a tenant request cannot dump every user's email and password hash.
CREATE OR REPLACE FUNCTION public.auth_user(p_email text)
RETURNS TABLE (id uuid, email text, name text, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT u.id, u.email, u.name, u.password_hash FROM public.users u WHERE lower(u.email) = lower(p_email)
$fn$;--> statement-breakpoint

CREATE OR REPLACE FUNCTION public.user_memberships(p_user uuid)
RETURNS TABLE (tenant_id uuid, tenant_slug text, tenant_name text, strategy text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT t.id, t.slug, t.name, t.strategy, m.role
    FROM public.memberships m JOIN tenancy.tenants t ON t.id = m.tenant_id
   WHERE m.user_id = p_user AND t.status = 'active'
   ORDER BY t.name
$fn$;--> statement-breakpoint

-- Members of the tenant named by the verified context: no context, no rows.
CREATE OR REPLACE FUNCTION public.tenant_members()
RETURNS TABLE (user_id uuid, email text, name text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT u.id, u.email, u.name, m.role
    FROM public.memberships m JOIN public.users u ON u.id = m.user_id
   WHERE m.tenant_id = tenancy.current_tenant_id()
   ORDER BY u.name
$fn$;--> statement-breakpoint

REVOKE ALL ON FUNCTION public.auth_user(text), public.user_memberships(uuid), public.tenant_members() FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.auth_user(text), public.user_memberships(uuid), public.tenant_members() TO app_user, app_operator;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON public.users, public.memberships TO app_operator;--> statement-breakpoint
GRANT SELECT ON public.operators TO app_operator;
