-- The activity log's writers. The table (0004) has no policy that lets a runtime role insert, change or delete a row:
-- entries come only from these owner's functions, in the transaction of the change they record. Each names its
-- placement's tables through the search_path it was created with (SET search_path FROM CURRENT: the placement's
-- schema, tenancy, pg_catalog, pg_temp last), so the same migration serves shared tables, tenant schemas and
-- tenant databases.
ALTER TABLE "activity_log" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- Who the verified context is: a support operator (role 'support'), nobody (the library's own contexts, jobs), or a user.
CREATE FUNCTION activity_actor_kind() RETURNS text
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $fn$
  SELECT CASE WHEN tenancy.current_app_role() = 'support' THEN 'support'
              WHEN tenancy.current_user_id() IS NULL THEN 'system'
              ELSE 'user' END
$fn$;--> statement-breakpoint
REVOKE ALL ON FUNCTION activity_actor_kind() FROM PUBLIC;--> statement-breakpoint
-- Row changes of projects, tasks and comments. The actor is the verified context's, never a column of the row.
-- Skipped: the owner role's own writes (an import, a move's copy, removing an rls tenant: maintenance, nobody's
-- action; the owner never serves a request), and writes with no tenant context at all, which only a role past
-- row-level security can make (a superuser's seed). Rows a cascade removes get their own entries: the log says every row
-- that went, and who removed it.
CREATE FUNCTION activity_record_change() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path FROM CURRENT
AS $fn$
DECLARE
  r record;
  detail jsonb := '{}'::jsonb;
  changed jsonb;
BEGIN
  IF pg_catalog.current_setting('role') = current_user::text OR tenancy.claimed_tenant_id() IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  IF TG_NARGS > 1 THEN
    detail := jsonb_build_object(TG_ARGV[1], left(to_jsonb(r) ->> TG_ARGV[1], 200));
  END IF;
  IF TG_OP = 'UPDATE' THEN
    SELECT coalesce(jsonb_agg(n.key ORDER BY n.key), '[]'::jsonb) INTO changed
      FROM jsonb_each(to_jsonb(NEW)) n JOIN jsonb_each(to_jsonb(OLD)) o ON o.key = n.key
     WHERE n.value IS DISTINCT FROM o.value AND n.key <> 'updated_at';
    IF changed = '[]'::jsonb THEN RETURN NULL; END IF;
    detail := detail || jsonb_build_object('changed', changed);
    IF changed ? 'status' THEN
      detail := detail || jsonb_build_object('from', to_jsonb(OLD) -> 'status', 'to', to_jsonb(NEW) -> 'status');
    END IF;
  END IF;
  INSERT INTO activity_log (tenant_id, actor_id, actor_kind, action, subject_type, subject_id, detail)
  VALUES (r.tenant_id, tenancy.current_user_id(), activity_actor_kind(),
          TG_ARGV[0] || '.' || CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END,
          TG_ARGV[0], r.id, detail);
  RETURN NULL;
END
$fn$;--> statement-breakpoint
-- A trigger runs its function without an EXECUTE check; nobody calls it directly.
REVOKE ALL ON FUNCTION activity_record_change() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER "projects_activity" AFTER INSERT OR UPDATE OR DELETE ON "projects" FOR EACH ROW EXECUTE FUNCTION activity_record_change('project', 'name');--> statement-breakpoint
CREATE TRIGGER "tasks_activity" AFTER INSERT OR UPDATE OR DELETE ON "tasks" FOR EACH ROW EXECUTE FUNCTION activity_record_change('task', 'title');--> statement-breakpoint
CREATE TRIGGER "comments_activity" AFTER INSERT OR UPDATE OR DELETE ON "comments" FOR EACH ROW EXECUTE FUNCTION activity_record_change('comment');--> statement-breakpoint
-- Events that are not row changes (a sign-in, an export, a support view), called by the app inside its tenant
-- transaction. The tenant and the actor come from the verified context; without one it refuses. Actions of the
-- row triggers (and of the support-access functions, 0007) are theirs alone, so a caller cannot claim a change that
-- did not happen.
CREATE FUNCTION log_activity(p_action text, p_subject_type text, p_subject_id uuid DEFAULT NULL, p_detail jsonb DEFAULT '{}'::jsonb) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path FROM CURRENT
AS $fn$
DECLARE
  tenant uuid := tenancy.current_tenant_id();
  -- Made here, not returned by the INSERT: RETURNING would need the caller's read policy, which a viewer lacks.
  entry uuid := gen_random_uuid();
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'log_activity() needs a verified tenant context' USING ERRCODE = '42501';
  END IF;
  IF split_part(p_action, '.', 1) IN ('project', 'task', 'comment', 'support') THEN
    RAISE EXCEPTION 'activity % is recorded by its own writers only (the row triggers, the support-access functions)', p_action USING ERRCODE = '22023';
  END IF;
  INSERT INTO activity_log (tenant_id, id, actor_id, actor_kind, action, subject_type, subject_id, detail)
  VALUES (tenant, entry, tenancy.current_user_id(), activity_actor_kind(), p_action, p_subject_type, p_subject_id, coalesce(p_detail, '{}'::jsonb));
  RETURN entry;
END
$fn$;
