CREATE TABLE "comments" (
	"tenant_id" uuid DEFAULT tenancy.current_tenant_id() NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_by" uuid DEFAULT tenancy.current_user_id(),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"task_id" uuid NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "comments_pkey" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "comments_body_length" CHECK (length("comments"."body") between 1 and 5000)
);
--> statement-breakpoint
ALTER TABLE "comments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "projects" (
	"tenant_id" uuid DEFAULT tenancy.current_tenant_id() NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_by" uuid DEFAULT tenancy.current_user_id(),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projects_pkey" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "projects_name_length" CHECK (length("projects"."name") between 1 and 200)
);
--> statement-breakpoint
ALTER TABLE "projects" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "tasks" (
	"tenant_id" uuid DEFAULT tenancy.current_tenant_id() NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_by" uuid DEFAULT tenancy.current_user_id(),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"project_id" uuid NOT NULL,
	"title" text NOT NULL,
	"status" text DEFAULT 'todo' NOT NULL,
	"assignee_id" uuid,
	"due_date" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tasks_pkey" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "tasks_status_valid" CHECK ("tasks"."status" in ('todo', 'doing', 'done')),
	CONSTRAINT "tasks_title_length" CHECK (length("tasks"."title") between 1 and 300)
);
--> statement-breakpoint
ALTER TABLE "tasks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_task_fk" FOREIGN KEY ("tenant_id","task_id") REFERENCES "public"."tasks"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_project_fk" FOREIGN KEY ("tenant_id","project_id") REFERENCES "public"."projects"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "comments_tenant_task_idx" ON "comments" USING btree ("tenant_id","task_id","created_at");--> statement-breakpoint
CREATE INDEX "projects_tenant_created_idx" ON "projects" USING btree ("tenant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tasks_tenant_project_idx" ON "tasks" USING btree ("tenant_id","project_id","created_at");--> statement-breakpoint
CREATE INDEX "tasks_tenant_created_idx" ON "tasks" USING btree ("tenant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tasks_tenant_assignee_idx" ON "tasks" USING btree ("tenant_id","assignee_id");--> statement-breakpoint
CREATE POLICY "comments_tenant_isolation" ON "comments" AS RESTRICTIVE FOR ALL TO public USING (tenant_id = (select tenancy.current_tenant_id())) WITH CHECK (tenant_id = (select tenancy.current_tenant_id()));--> statement-breakpoint
CREATE POLICY "comments_read" ON "comments" AS PERMISSIVE FOR SELECT TO public USING (true);--> statement-breakpoint
CREATE POLICY "comments_insert" ON "comments" AS PERMISSIVE FOR INSERT TO public WITH CHECK (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id()))));--> statement-breakpoint
CREATE POLICY "comments_update" ON "comments" AS PERMISSIVE FOR UPDATE TO public USING (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id())))) WITH CHECK (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id()))));--> statement-breakpoint
CREATE POLICY "comments_delete" ON "comments" AS PERMISSIVE FOR DELETE TO public USING (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id()))));--> statement-breakpoint
CREATE POLICY "projects_tenant_isolation" ON "projects" AS RESTRICTIVE FOR ALL TO public USING (tenant_id = (select tenancy.current_tenant_id())) WITH CHECK (tenant_id = (select tenancy.current_tenant_id()));--> statement-breakpoint
CREATE POLICY "projects_read" ON "projects" AS PERMISSIVE FOR SELECT TO public USING (true);--> statement-breakpoint
CREATE POLICY "projects_insert" ON "projects" AS PERMISSIVE FOR INSERT TO public WITH CHECK (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id()))));--> statement-breakpoint
CREATE POLICY "projects_update" ON "projects" AS PERMISSIVE FOR UPDATE TO public USING (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id())))) WITH CHECK (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id()))));--> statement-breakpoint
CREATE POLICY "projects_delete" ON "projects" AS PERMISSIVE FOR DELETE TO public USING (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id()))));--> statement-breakpoint
CREATE POLICY "tasks_tenant_isolation" ON "tasks" AS RESTRICTIVE FOR ALL TO public USING (tenant_id = (select tenancy.current_tenant_id())) WITH CHECK (tenant_id = (select tenancy.current_tenant_id()));--> statement-breakpoint
CREATE POLICY "tasks_read" ON "tasks" AS PERMISSIVE FOR SELECT TO public USING (true);--> statement-breakpoint
CREATE POLICY "tasks_insert" ON "tasks" AS PERMISSIVE FOR INSERT TO public WITH CHECK (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id()))));--> statement-breakpoint
CREATE POLICY "tasks_update" ON "tasks" AS PERMISSIVE FOR UPDATE TO public USING (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id())))) WITH CHECK (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id()))));--> statement-breakpoint
CREATE POLICY "tasks_delete" ON "tasks" AS PERMISSIVE FOR DELETE TO public USING (((select tenancy.current_app_role()) = 'admin' or ((select tenancy.current_app_role()) = 'member' and created_by = (select tenancy.current_user_id()))));