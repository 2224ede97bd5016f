#!/bin/sh
# Run by the postgres image on a new data volume (docker-entrypoint-initdb.d): creates the app's role.
# On an existing volume run it once by hand:
#   docker compose exec -e APP_DB_PASSWORD=... db sh /docker-entrypoint-initdb.d/init-app-role.sh
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_role="${APP_DB_USER:-branchmeet_app}" -v app_password="${APP_DB_PASSWORD:?set APP_DB_PASSWORD}" \
  -v owner="$POSTGRES_USER" -f /docker-entrypoint-initdb.d/app-role.psql
