#!/bin/sh
# rotate-password.sh: gives the database role the password its secret now holds, inside the running PostgreSQL task.
#
# The official postgres image reads POSTGRES_PASSWORD_FILE only when it initialises an empty data directory, so a
# new password in Nomad Variables or Vault would leave the role with the old one while the app restarts with the new
# one. The PostgreSQL task's password template runs this script when the secret changes (Nomad template
# change_mode "script"), before the app's own template (which waits its splay) restarts the app.
# POSIX sh (debian: dash, alpine: busybox ash), without dollar-brace sequences (safe in a Nomad template). Exit codes: 0 changed, 1 PostgreSQL refused, 2 configuration error.
#
# ROTATE_PASSWORD_FILE   the file holding the new password (default: POSTGRES_PASSWORD_FILE); one trailing newline
#                        is ignored, as the image's entrypoint does
# ROTATE_ROLE            the role to change (default: POSTGRES_USER, the image's superuser, which the app uses)
# Connection (libpq): inside the task the local socket, where the image trusts local connections; PGUSER defaults
#                     to POSTGRES_USER, PGDATABASE to postgres.
#
# The password never appears on a command line or in the server log: psql reads it from the file into a variable
# (\set with backquotes), and the statement runs with log_statement and log_min_duration_statement off for the
# session (the role needs to be a superuser to set them, which the image's POSTGRES_USER is).

file=$ROTATE_PASSWORD_FILE
[ -n "$file" ] || file=$POSTGRES_PASSWORD_FILE
role=$ROTATE_ROLE
[ -n "$role" ] || role=$POSTGRES_USER
[ -n "$PGUSER" ] || PGUSER=$POSTGRES_USER
[ -n "$PGDATABASE" ] || PGDATABASE=postgres
export PGUSER PGDATABASE

log() {
  printf '%s rotate-password: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

if [ -z "$role" ]; then
  log "CONFIG ERROR: no role (set ROTATE_ROLE or POSTGRES_USER)"
  exit 2
fi
if [ -z "$file" ] || [ ! -r "$file" ]; then
  log "CONFIG ERROR: cannot read the password file '$file' (set ROTATE_PASSWORD_FILE or POSTGRES_PASSWORD_FILE)"
  exit 2
fi
if [ ! -s "$file" ]; then
  log "CONFIG ERROR: the password file $file is empty; the password of role $role is unchanged"
  exit 2
fi
case $file in
  *"'"* | *'`'*)
    log "CONFIG ERROR: the password file's path holds a quote or a backquote"
    exit 2
    ;;
esac

# psql strips one trailing newline from a backquoted command's output; ON_ERROR_STOP makes any failure exit 3.
if psql -X -q -w -v ON_ERROR_STOP=1 -v role="$role" >/dev/null <<SQL
SET log_statement = 'none';
SET log_min_duration_statement = -1;
\\set new_password \`cat '$file'\`
ALTER ROLE :"role" PASSWORD :'new_password';
SQL
then
  log "ok role=$role: the password now matches $file"
  exit 0
fi
log "FAILED role=$role: PostgreSQL did not take the new password (see the error above); the role keeps its old one"
exit 1
