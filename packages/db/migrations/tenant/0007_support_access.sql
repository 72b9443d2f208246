CREATE TABLE "support_access" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"operator_id" uuid NOT NULL,
	"operator_email" text NOT NULL,
	"reason" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_by" uuid,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "support_access_pkey" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "support_access_reason_length" CHECK (length("support_access"."reason") between 1 and 500),
	CONSTRAINT "support_access_email_length" CHECK (length("support_access"."operator_email") between 3 and 320),
	CONSTRAINT "support_access_approval_whole" CHECK (("support_access"."approved_by" is null) = ("support_access"."approved_at" is null) and ("support_access"."approved_at" is null) = ("support_access"."expires_at" is null)),
	CONSTRAINT "support_access_at_most_an_hour" CHECK ("support_access"."expires_at" > "support_access"."approved_at" and "support_access"."expires_at" <= "support_access"."approved_at" + interval '60 minutes'),
	CONSTRAINT "support_access_revocation_whole" CHECK (("support_access"."revoked_by" is null) = ("support_access"."revoked_at" is null))
);
--> statement-breakpoint
ALTER TABLE "support_access" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "support_access_tenant_operator_idx" ON "support_access" USING btree ("tenant_id","operator_id","requested_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE POLICY "support_access_tenant_isolation" ON "support_access" AS RESTRICTIVE FOR ALL TO public USING (tenant_id = (select tenancy.current_tenant_id())) WITH CHECK (tenant_id = (select tenancy.current_tenant_id()));--> statement-breakpoint
CREATE POLICY "support_access_read" ON "support_access" AS PERMISSIVE FOR SELECT TO public USING (case (select tenancy.current_app_role()) when 'owner' then true when 'admin' then true when 'support' then operator_id = (select tenancy.current_user_id()) else false end);--> statement-breakpoint
CREATE POLICY "support_access_write" ON "support_access" AS PERMISSIVE FOR ALL TO "tenancy_owner" USING (true) WITH CHECK (true);