DROP INDEX "projects_tenant_created_idx";--> statement-breakpoint
DROP INDEX "tasks_tenant_created_idx";--> statement-breakpoint
CREATE INDEX "projects_tenant_created_idx" ON "projects" USING btree ("tenant_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_tenant_created_idx" ON "tasks" USING btree ("tenant_id","created_at" DESC NULLS FIRST);