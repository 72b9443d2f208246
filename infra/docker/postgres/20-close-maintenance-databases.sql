-- Written by hand (not generated). The postgres image runs it after 00-init.sql and 10-pgbouncer-auth.sql, as
-- POSTGRES_USER (a superuser), once, on an empty volume.
--
-- initdb lets every role (PUBLIC) connect to the cluster's own databases, postgres and template1. A database
-- tenant's login role must connect to its own database only (tenancy audit() reports `tenant-role-connects-elsewhere`
-- otherwise), so this cluster, which serves only this deployment, closes them. Superusers still connect, and
-- CREATE DATABASE still copies template1 (that needs CREATEDB, not CONNECT). POSTGRES_DB itself is closed to PUBLIC
-- by init.sql, which grants CONNECT back to the runtime roles (and 10-pgbouncer-auth.sql to pgbouncer_auth): that
-- holds even when POSTGRES_DB is postgres.
-- The same step runs when `npm run dev` initialises its embedded cluster, and in the test harness's own server.

REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
