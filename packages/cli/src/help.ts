// The environment block of `tenancy --help`: the variables src/env.ts reads, kept apart so help loads no schema.

export const ENV_HELP = `Environment (the admin app's variables, same names and rules):
  ADMIN_DATABASE_URL       owner connection, direct to PostgreSQL (required)
  DATABASE_URL             app_user connection; may point at PgBouncer (required)
  TENANCY_CONTEXT_SECRET   HMAC key of the tenant context, >= 32 characters (required)
  TENANCY_SECRETS_KEY      key of database tenants' role passwords, >= 32 characters (required)
  OPERATOR_DATABASE_URL    app_operator connection; setup creates the role when set
  TENANCY_POOLER           direct (default), pgbouncer-session or pgbouncer-transaction
  PGBOUNCER_AUTH_PASSWORD  PgBouncer's auth_query role password (required with a PgBouncer pooler)
  TENANT_MIGRATIONS_DIR    tenant-table migrations (default: packages/db/migrations/tenant)
  TENANCY_MAX_CONNECTIONS  cap on per-tenant pool connections (default 20)
  ARCHIVE_DIR              where delete writes archives when --archive is not given
  TENANCY_SERVERS          other PostgreSQL servers, a JSON array of {name, adminUrl, appUrl, maxConnections?, sharedTables?} (default: none)
  TENANCY_PRIMARY_NAME     name of the server of ADMIN_DATABASE_URL, which holds the catalog (default primary)
  TENANCY_PLACEMENT        where a new tenant naming no server goes: fewest-tenants (default) or least-bytes`;
