#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# restore-database.sh: restores one backup written by pg-backup.sh into the job's own PostgreSQL and proves the copy:
# the file's sha256 must match its .sha256, and after the restore every table's exact row count must equal the
# count its .manifest recorded in the dump's snapshot. POSIX sh (dash, busybox ash); the image's client tools.
# Configured only through the environment; exit codes: 0 restored and verified, 1 failed, 2 configuration error.
#
# Connection (libpq): PGHOST, PGPORT, PGUSER, PGPASSWORD (the job's database user: the sidecar's superuser).
#   Passwords are never logged and never on a command line.
# PGDATABASE               the database to restore into (the job's database)
# BACKUP_LIB               path of backup-lib.sh (default: next to this script)
# BACKUP_DIR               the backup volume (read only is enough)
# BACKUP_NAME              file-name prefix of the backups (default: PGDATABASE with unsafe characters replaced by "_")
# RESTORE_FROM             latest (default): the newest good backup | a backup's file name in BACKUP_DIR
# RESTORE_INTO             new-volume (default): the database must be empty (a fresh data volume, initialised by the
#                          image's entrypoint); a database holding tables is refused and left alone
#                          in-place: the database is dropped and created again (owned by PGUSER), then restored;
#                          every other connection is closed first, so the app must be stopped
# RESTORE_WAIT_SECONDS     how long to wait for PostgreSQL to accept connections (default 120)
#
# Log: "restore ok file=... tables=N rows=M into=..." or "restore FAILED file=... reason=..." (stderr).

[ -n "$BACKUP_LIB" ] || BACKUP_LIB="$(dirname "$0")/backup-lib.sh"
if [ ! -r "$BACKUP_LIB" ]; then
  echo "restore-database: cannot read $BACKUP_LIB (set BACKUP_LIB)" >&2
  exit 2
fi
# shellcheck source=backup-lib.sh
. "$BACKUP_LIB"

RESTORE_FILE=""
restore_config() {
  log_error "restore CONFIG ERROR: $*"
  exit 2
}
restore_fail() {
  log_error "restore FAILED file=$RESTORE_FILE reason=\"$*\""
  exit 1
}

[ -n "$PGDATABASE" ] || restore_config "PGDATABASE is not set"
[ -n "$PGUSER" ] || restore_config "PGUSER is not set"
# Both appear in SQL below: plain identifiers only, as the spec validation allows them.
for rs_name in "$PGDATABASE" "$PGUSER"; do
  case $rs_name in
    [a-z_]*) ;;
    *) restore_config "'$rs_name' is not a plain identifier" ;;
  esac
  case $rs_name in
    *[!a-z0-9_]*) restore_config "'$rs_name' is not a plain identifier" ;;
  esac
done
if [ -z "$BACKUP_DIR" ] || [ ! -d "$BACKUP_DIR" ] || [ ! -r "$BACKUP_DIR" ]; then
  restore_config "BACKUP_DIR is not a readable directory"
fi
[ -n "$BACKUP_NAME" ] || BACKUP_NAME=$(sanitize_name "$PGDATABASE")
[ -n "$RESTORE_FROM" ] || RESTORE_FROM=latest
[ -n "$RESTORE_INTO" ] || RESTORE_INTO=new-volume
case $RESTORE_INTO in
  new-volume | in-place) ;;
  *) restore_config "RESTORE_INTO must be new-volume or in-place, got '$RESTORE_INTO'" ;;
esac
[ -n "$RESTORE_WAIT_SECONDS" ] || RESTORE_WAIT_SECONDS=120
is_uint "$RESTORE_WAIT_SECONDS" || restore_config "RESTORE_WAIT_SECONDS must be a number of seconds"

rs_start=$(date +%s)

# Which backup: the newest good one, or the one named (a bare file name of this backup name, nothing else).
if [ "$RESTORE_FROM" = latest ]; then
  rs_newest=$(newest_backup "$BACKUP_DIR" "$BACKUP_NAME")
  [ -n "$rs_newest" ] || restore_fail "no good backup named $BACKUP_NAME in $BACKUP_DIR"
  # shellcheck disable=SC2086 # "<epoch> <file>": split on purpose
  set -- $rs_newest
  RESTORE_FILE=$2
else
  case $RESTORE_FROM in
    */* | .*) restore_config "RESTORE_FROM is a file name in BACKUP_DIR (no '/', not hidden), got '$RESTORE_FROM'" ;;
  esac
  RESTORE_FILE=$RESTORE_FROM
  [ -f "$BACKUP_DIR/$RESTORE_FILE" ] || restore_fail "no such backup in $BACKUP_DIR"
fi
case $RESTORE_FILE in
  *.dump) rs_format=custom ;;
  *.sql.gz) rs_format=plain-gzip ;;
  *) restore_fail "not a PostgreSQL backup (.dump or .sql.gz)" ;;
esac

# The file is the one that was written: its checksum, then its manifest (database scope, the database's tables).
[ -r "$BACKUP_DIR/$RESTORE_FILE.sha256" ] || restore_fail "no checksum file $RESTORE_FILE.sha256"
read -r rs_expected rs_listed <"$BACKUP_DIR/$RESTORE_FILE.sha256" || restore_fail "cannot read $RESTORE_FILE.sha256"
[ "$rs_listed" = "$RESTORE_FILE" ] || restore_fail "$RESTORE_FILE.sha256 names another file"
# shellcheck disable=SC2046 # sha256sum prints "<hex>  -": the first word is the checksum
set -- $(sha256sum <"$BACKUP_DIR/$RESTORE_FILE")
if [ -z "$1" ] || [ "$1" != "$rs_expected" ]; then
  restore_fail "checksum mismatch: the file is not the one the backup wrote"
fi
rs_manifest=$BACKUP_DIR/$RESTORE_FILE.manifest
[ -r "$rs_manifest" ] || restore_fail "no manifest $RESTORE_FILE.manifest: the row counts cannot be checked"
[ "$(head -n 1 "$rs_manifest")" = "nomad-db-backup-manifest 1" ] || restore_fail "$RESTORE_FILE.manifest is not a manifest this script reads"
grep -qx 'scope database' "$rs_manifest" || restore_fail "a cluster backup (pg_dumpall) is restored by hand, not into one database"
grep -qx "sha256 $rs_expected" "$rs_manifest" || restore_fail "the manifest describes another file (its sha256 differs)"

RS_WORK=$(mktemp -d) || restore_fail "cannot create a work directory"
trap 'rm -rf "$RS_WORK"' EXIT
manifest_counts "$rs_manifest" | LC_ALL=C sort >"$RS_WORK/expected" || restore_fail "cannot read the manifest's row counts"

rs_waited=0
until pg_isready -q -d postgres; do
  [ "$rs_waited" -lt "$RESTORE_WAIT_SECONDS" ] || restore_fail "PostgreSQL did not accept connections within $RESTORE_WAIT_SECONDS s"
  sleep 1
  rs_waited=$((rs_waited + 1))
done

if [ "$RESTORE_INTO" = in-place ]; then
  log_line "restore in-place: dropping and creating database $PGDATABASE again"
  PGOPTIONS="$PGOPTIONS -c client_min_messages=warning" psql -X -q -w -v ON_ERROR_STOP=1 -d postgres \
    -c "DROP DATABASE IF EXISTS $PGDATABASE WITH (FORCE)" -c "CREATE DATABASE $PGDATABASE OWNER $PGUSER" ||
    restore_fail "cannot drop and create database $PGDATABASE"
else
  pg_count_sql | psql -X -q -w -At -v ON_ERROR_STOP=1 >"$RS_WORK/before" || restore_fail "cannot list the tables of $PGDATABASE"
  rs_tables=$(grep -c . "$RS_WORK/before")
  [ "$rs_tables" = 0 ] ||
    restore_fail "database $PGDATABASE already holds $rs_tables table(s): a new-volume restore starts from an empty data volume (left unchanged)"
fi

# One transaction: a failed restore leaves the database as empty as it was.
if [ "$rs_format" = custom ]; then
  pg_restore --no-password --exit-on-error --single-transaction --no-owner --no-privileges --no-publications \
    --no-subscriptions --dbname="$PGDATABASE" "$BACKUP_DIR/$RESTORE_FILE" || restore_fail "pg_restore failed"
else
  gzip -dc "$BACKUP_DIR/$RESTORE_FILE" | psql -X -q -w -v ON_ERROR_STOP=1 --single-transaction >/dev/null ||
    restore_fail "restoring the SQL failed"
fi

pg_count_sql | psql -X -q -w -At -v ON_ERROR_STOP=1 | LC_ALL=C sort >"$RS_WORK/restored" ||
  restore_fail "counting the restored rows failed"
if ! cmp -s "$RS_WORK/expected" "$RS_WORK/restored"; then
  log_error "restore mismatch file=$RESTORE_FILE expected (manifest) vs restored:"
  diff "$RS_WORK/expected" "$RS_WORK/restored" | grep '^[<>]' | head -n 20 >&2
  restore_fail "row counts differ from the manifest"
fi

rs_rows=$(awk -F'|' '{ n += $NF } END { print n + 0 }' "$RS_WORK/restored")
log_line "restore ok file=$RESTORE_FILE sha256=match tables=$(grep -c . "$RS_WORK/restored") rows=$rs_rows into=$RESTORE_INTO database=$PGDATABASE duration=$(($(date +%s) - rs_start))s"
