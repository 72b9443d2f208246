-- drizzle-kit cannot express FORCE ROW LEVEL SECURITY: without it the tables' owner would bypass
-- every policy, so a maintenance job run as the owner could read or write across tenants.
ALTER TABLE "projects" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "tasks" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "comments" FORCE ROW LEVEL SECURITY;
