CREATE TABLE "sign_in_limits" (
	"key" varchar(255) PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
--> statement-breakpoint
CREATE INDEX "sign_in_limits_expire_idx" ON "sign_in_limits" USING btree ("expire");--> statement-breakpoint

-- The sign-in limits are written by the roles that sign people in, and only by them: app_auth (the web's users) and
-- app_operator (the admin's operators). app_user, which serves tenant requests, gets nothing: SQL injected into a
-- tenant request can neither lift a lock nor lock someone out. These are the statements rate-limiter-flexible runs:
-- a read, an upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), the reset after a success and the expiry sweep.
REVOKE ALL ON public.sign_in_limits FROM PUBLIC;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON public.sign_in_limits TO app_auth, app_operator;
