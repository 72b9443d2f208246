CREATE TABLE "activity_log" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"actor_id" uuid,
	"actor_kind" text NOT NULL,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" uuid,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activity_log_pkey" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "activity_log_actor_kind_valid" CHECK ("activity_log"."actor_kind" in ('user', 'api_key', 'support', 'system')),
	CONSTRAINT "activity_log_action_format" CHECK ("activity_log"."action" ~ '^[a-z][a-z_]{0,39}[.][a-z][a-z_]{0,39}$'),
	CONSTRAINT "activity_log_subject_type_format" CHECK ("activity_log"."subject_type" ~ '^[a-z][a-z_]{0,39}$'),
	CONSTRAINT "activity_log_detail_small" CHECK (jsonb_typeof("activity_log"."detail") = 'object' and pg_column_size("activity_log"."detail") <= 2048)
);
--> statement-breakpoint
ALTER TABLE "activity_log" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "activity_log_tenant_created_idx" ON "activity_log" USING btree ("tenant_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE POLICY "activity_log_tenant_isolation" ON "activity_log" AS RESTRICTIVE FOR ALL TO public USING (tenant_id = (select tenancy.current_tenant_id())) WITH CHECK (tenant_id = (select tenancy.current_tenant_id()));--> statement-breakpoint
CREATE POLICY "activity_log_read" ON "activity_log" AS PERMISSIVE FOR SELECT TO public USING ((select tenancy.current_app_role()) in ('owner', 'admin'));--> statement-breakpoint
CREATE POLICY "activity_log_write" ON "activity_log" AS PERMISSIVE FOR INSERT TO "tenancy_owner" WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "activity_log_remove" ON "activity_log" AS PERMISSIVE FOR DELETE TO "tenancy_owner" USING (true);