CREATE TABLE "tenant_plans" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"plan" text NOT NULL,
	"pending_plan" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_plans_plan_valid" CHECK (plan in ('free', 'business', 'enterprise')),
	CONSTRAINT "tenant_plans_pending_plan_valid" CHECK (pending_plan in ('free', 'business', 'enterprise'))
);
--> statement-breakpoint
-- A tenant's plan goes with the tenant: deleting it from the catalog deletes its plan row.
ALTER TABLE "tenant_plans" ADD CONSTRAINT "tenant_plans_tenant_fk" FOREIGN KEY ("tenant_id") REFERENCES tenancy.tenants ("id") ON DELETE CASCADE;--> statement-breakpoint
-- The admin app records plans as app_operator (creating a tenant, changing its plan). app_user, which serves tenant
-- requests, gets nothing: SQL injected into a tenant request cannot give its tenant another plan.
REVOKE ALL ON public.tenant_plans FROM PUBLIC;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON public.tenant_plans TO app_operator;
