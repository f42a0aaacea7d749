#!/bin/sh
# init-databases: makes every database listed in INIT_MANIFEST exist, owned by its application role, and sets that
# role's password from its password file. Safe to run on every start of the shared PostgreSQL: every step looks before
# it changes anything, and a second run changes nothing but the password verifier (see "Passwords" below).
#
# Environment:
#   PGHOST, PGPORT, PGUSER, PGPASSWORD  the admin connection (libpq reads them)
#   INIT_MANIFEST        file, one line per database: name<TAB>owner<TAB>password_file
#                        (blank lines and lines starting with # are skipped)
#   INIT_WAIT_SECONDS    how long to wait for the server to accept connections (default 120)
#   INIT_MAINTENANCE_DB  database to connect to for role and database management (default postgres)
#
# Ownership: the role owns its database. Since PostgreSQL 15 the public schema belongs to pg_database_owner and
# PUBLIC may no longer create in it, so owning the database is what lets the role create its tables;
# GRANT ALL ON DATABASE alone does not.
#
# Passwords: psql reads the password file itself (backquote expansion in \set), so the password never appears in an
# argument list, in this script's variables or in its output. It reaches the server once per run, as a quoted literal
# in ALTER ROLE; for that one statement the session turns statement logging off (when the admin is a superuser).
# The role's password is set on every run: PostgreSQL cannot compare a candidate with a stored SCRAM verifier in
# SQL, and setting it is cheap and makes a changed secret take effect on the next start.
#
# This file is embedded in a Nomad template: it contains no dollar-brace, percent-brace or double-brace sequences.

set -e

log() { printf 'init-databases: %s\n' "$*"; }
fail() {
  printf 'init-databases: error: %s\n' "$*" >&2
  exit 1
}

tab=$(printf '\t')
cr=$(printf '\r')

# A database or role name: 1-63 ASCII letters, digits, '_' or '-', not starting with a digit or '-'.
valid_name() {
  printf '%s\n' "$1" | LC_ALL=C grep -Eqx '[A-Za-z_][A-Za-z0-9_-]{0,62}'
}

in_list() {
  printf '%s\n' "$2" | grep -qxF -- "$1"
}

[ -n "$INIT_MANIFEST" ] || fail "INIT_MANIFEST must name the manifest file"
if [ ! -f "$INIT_MANIFEST" ] || [ ! -r "$INIT_MANIFEST" ]; then fail "manifest $INIT_MANIFEST is not a readable file"; fi
[ -n "$INIT_WAIT_SECONDS" ] || INIT_WAIT_SECONDS=120
case $INIT_WAIT_SECONDS in '' | *[!0-9]*) fail "INIT_WAIT_SECONDS must be a whole number of seconds" ;; esac
[ -n "$INIT_MAINTENANCE_DB" ] || INIT_MAINTENANCE_DB=postgres
valid_name "$INIT_MAINTENANCE_DB" || fail "INIT_MAINTENANCE_DB is not a valid database name"

# Pass 1: validate the whole manifest before touching the server, so a bad line changes nothing.
entries=''
entries_owner_files=''
databases=''
owners=''
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  case $line in '' | '#'*) continue ;; esac
  where="manifest line $lineno"
  case $line in *"$cr"*) fail "$where: carriage return (the manifest must use LF line ends)" ;; esac
  case $line in
    "$tab"* | *"$tab" | *"$tab$tab"*) fail "$where: empty field (expected name<TAB>owner<TAB>password_file)" ;;
  esac
  set -f
  old_ifs=$IFS
  IFS=$tab
  # shellcheck disable=SC2086 # splitting the line at tabs is the point
  set -- $line
  IFS=$old_ifs
  set +f
  [ "$#" -eq 3 ] || fail "$where: expected 3 tab-separated fields (name, owner, password_file), found $#"
  name=$1
  owner=$2
  password_file=$3
  valid_name "$name" || fail "$where: invalid database name (allowed: letters, digits, _ and -, at most 63)"
  valid_name "$owner" || fail "$where: invalid owner name (allowed: letters, digits, _ and -, at most 63)"
  case $name in postgres | template0 | template1) fail "$where: $name is a system database" ;; esac
  case $owner in pg_*) fail "$where: role names starting with pg_ are reserved" ;; esac
  [ "$owner" != "$PGUSER" ] || fail "$where: owner $owner is the admin role this script connects as"
  if [ ! -f "$password_file" ] || [ ! -r "$password_file" ]; then
    fail "$where: password file for $owner is not a readable file"
  fi
  grep -q . "$password_file" || fail "$where: password file for $owner is empty"
  in_list "$name" "$databases" && fail "$where: database $name is listed twice"
  if in_list "$owner" "$owners"; then
    in_list "$owner$tab$password_file" "$entries_owner_files" ||
      fail "$where: owner $owner is listed again with a different password file"
  fi
  databases="$databases$name
"
  owners="$owners$owner
"
  entries_owner_files="$entries_owner_files$owner$tab$password_file
"
  entries="$entries$name$tab$owner$tab$password_file
"
done <"$INIT_MANIFEST"

[ -n "$entries" ] || fail "manifest $INIT_MANIFEST lists no databases"

log "waiting up to $INIT_WAIT_SECONDS s for PostgreSQL"
deadline=$(($(date +%s) + INIT_WAIT_SECONDS))
until pg_isready -q -t 3 -d "$INIT_MAINTENANCE_DB"; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "PostgreSQL did not accept connections within $INIT_WAIT_SECONDS s"
  sleep 1
done
log "PostgreSQL accepts connections"

ensure_database() {
  psql -X -q -w -v ON_ERROR_STOP=1 -d "$INIT_MAINTENANCE_DB" \
    -v db="$1" -v owner="$2" -v password_file="$3" -f - <<'SQL'
SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'owner') AS role_exists,
       EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'owner' AND rolsuper) AS owner_is_superuser,
       :'owner' = current_user AS owner_is_admin,
       EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = current_user AND rolsuper) AS admin_is_superuser,
       EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'db') AS database_exists,
       COALESCE((SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = :'db'), '')
         AS current_owner \gset
\if :owner_is_admin
\warn init-databases: error: role :owner is the admin role this script connects as
SELECT 'init-databases refuses to manage the admin role'::pg_catalog.int4;
\elif :owner_is_superuser
\warn init-databases: error: role :owner is a superuser; this script manages application roles only
SELECT 'init-databases refuses to manage a superuser role'::pg_catalog.int4;
\endif
\if :role_exists
\else
CREATE ROLE :"owner" LOGIN;
\echo init-databases: :db: created role :owner
\endif

-- The password travels only in the ALTER ROLE below; keep that statement out of the server log.
\if :admin_is_superuser
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_error_statement = 'panic';
SELECT pg_catalog.count(pg_catalog.set_config(name, '0', false)) AS sampling_off
  FROM pg_catalog.pg_settings WHERE name = 'log_transaction_sample_rate' \gset
SELECT pg_catalog.count(pg_catalog.set_config(name, '-1', false)) AS sampling_off
  FROM pg_catalog.pg_settings WHERE name = 'log_min_duration_sample' \gset
\endif
\set password `printf '%s' "$(cat :'password_file')"`
SELECT :'password' <> '' AS password_present \gset
\if :password_present
ALTER ROLE :"owner" WITH LOGIN PASSWORD :'password';
\else
\warn init-databases: error: the password file for :owner could not be read or is empty
SELECT 'init-databases refuses to set an empty password'::pg_catalog.int4;
\endif
\unset password
\if :admin_is_superuser
RESET log_statement;
RESET log_min_duration_statement;
RESET log_min_error_statement;
\endif
\echo init-databases: :db: set password of role :owner

\if :database_exists
SELECT :'current_owner' <> :'owner' AS owner_differs \gset
\if :owner_differs
ALTER DATABASE :"db" OWNER TO :"owner";
\echo init-databases: :db: changed owner from :current_owner to :owner
\endif
\else
CREATE DATABASE :"db" OWNER :"owner";
\echo init-databases: :db: created database owned by :owner
\endif

-- A database restored from an older release keeps its old public schema ACL; make sure the owner can create there.
\connect :"db"
SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'public')
   AND NOT pg_catalog.has_schema_privilege(:'owner', 'public', 'CREATE') AS public_needs_grant \gset
\if :public_needs_grant
GRANT USAGE, CREATE ON SCHEMA public TO :"owner";
\echo init-databases: :db: granted CREATE on schema public to :owner
\endif
SQL
}

count=0
while IFS=$tab read -r name owner password_file; do
  [ -n "$name" ] || continue
  ensure_database "$name" "$owner" "$password_file" || fail "database $name: psql failed (see above); stopping"
  log "$name: ensured (owner $owner)"
  count=$((count + 1))
done <<EOF
$entries
EOF

log "$count databases ensured"
