-- The admin app reports every tenant's size and the server's connections as app_operator. Tenant databases
-- refuse CONNECT to everyone but their own role, and pg_database_size() needs CONNECT or pg_read_all_stats;
-- pg_stat_activity hides other roles' session state without it. pg_read_all_stats reads statistics only:
-- no table rows, no secrets. Granting it needs a superuser (or its admin option): where the migrating role
-- lacks that, this step leaves a notice, and the admin app shows those sizes as unknown.
DO $operator_stats$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_operator') THEN
    GRANT pg_read_all_stats TO app_operator;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'app_operator was not granted pg_read_all_stats (%): the admin app cannot see tenant database sizes', SQLERRM;
END
$operator_stats$;
