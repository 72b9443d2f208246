#!/bin/sh
# The pgbouncer service's entrypoint (infra/docker/compose.yml). PgBouncer cannot read its auth file from the
# environment, so this writes it from PGBOUNCER_AUTH_PASSWORD (infra/docker/.env) to the path the ini names, then
# runs PgBouncer on that ini in the foreground. The password never sits in a committed file or in the image.
#
#   start.sh [ini]                     default /etc/pgbouncer/pgbouncer.ini
#   PGBOUNCER_RENDER_ONLY=1 start.sh   writes the auth file and stops (the parity tests use this, then start the
#                                      same ini with the auth file it wrote)
set -eu

ini="${1:-/etc/pgbouncer/pgbouncer.ini}"
: "${PGBOUNCER_AUTH_PASSWORD:?is not set: put it in infra/docker/.env (see .env.example)}"

auth_file=$(sed -n 's/^auth_file *= *//p' "$ini")
# The auth user is the one the wildcard database entry logs in as to run auth_query.
auth_user=$(sed -n 's/^\* *=.* auth_user=\([a-z_][a-z0-9_]*\).*$/\1/p' "$ini")
if [ -z "$auth_file" ] || [ -z "$auth_user" ]; then
  echo "start.sh: $ini names no auth_file or no auth_user on its '*' database line" >&2
  exit 1
fi

# PgBouncer's format: "user" "password", a double quote written twice. Only this process's user may read it.
umask 077
mkdir -p "$(dirname "$auth_file")"
escaped=$(printf '%s' "$PGBOUNCER_AUTH_PASSWORD" | sed 's/"/""/g')
printf '"%s" "%s"\n' "$auth_user" "$escaped" > "$auth_file"

if [ "${PGBOUNCER_RENDER_ONLY:-0}" = 1 ]; then exit 0; fi
exec pgbouncer "$ini"
