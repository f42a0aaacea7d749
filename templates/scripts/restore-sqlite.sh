#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# restore-sqlite.sh: puts one backup written by sqlite-backup.sh back as a SQLite service's database file, checked:
# the backup's sha256 must match its .sha256, the copy on the data volume must hash the same and pass
# PRAGMA integrity_check, and only then does one rename make it the database. POSIX sh (dash, busybox ash); needs the
# sqlite3 shell plus sha256sum, cp, mv, stat, chown (coreutils or busybox).
# Configured only through the environment; exit codes: 0 restored and verified, 1 failed, 2 configuration error.
#
# SQLITE_DB          the database file to restore (on the data volume)
# BACKUP_LIB         path of backup-lib.sh (default: next to this script)
# BACKUP_DIR         the backup volume (read only is enough)
# BACKUP_NAME        file-name prefix of the backups (default: the file name of SQLITE_DB without its extension)
# RESTORE_FROM       latest (default): the newest good backup | a backup's file name in BACKUP_DIR
# RESTORE_INTO       new-volume (default): SQLITE_DB must not exist yet (a fresh data volume); an existing file is
#                    refused and left alone
#                    in-place: SQLITE_DB is replaced; its -wal and -shm files are removed (a WAL of the old file
#                    must never be applied to the restored one), so the app must be stopped
#
# The restored file gets the owner of the file it replaces (in place) or of its directory (new volume).
# Log: "restore ok file=... sha256=match integrity=ok into=..." or "restore FAILED file=... reason=..." (stderr).

[ -n "$BACKUP_LIB" ] || BACKUP_LIB="$(dirname "$0")/backup-lib.sh"
if [ ! -r "$BACKUP_LIB" ]; then
  echo "restore-sqlite: cannot read $BACKUP_LIB (set BACKUP_LIB)" >&2
  exit 2
fi
# shellcheck source=backup-lib.sh
. "$BACKUP_LIB"

RESTORE_FILE=""
RS_PARTIAL=""
restore_config() {
  log_error "restore CONFIG ERROR: $*"
  exit 2
}
restore_fail() {
  [ -z "$RS_PARTIAL" ] || rm -f "$RS_PARTIAL" "$RS_PARTIAL-wal" "$RS_PARTIAL-shm"
  log_error "restore FAILED file=$RESTORE_FILE reason=\"$*\""
  exit 1
}

[ -n "$SQLITE_DB" ] || restore_config "SQLITE_DB is not set"
rs_dir=$(dirname "$SQLITE_DB")
if [ ! -d "$rs_dir" ] || [ ! -w "$rs_dir" ]; then
  restore_config "the directory of SQLITE_DB ($rs_dir) is not a writable directory (is the volume mounted?)"
fi
if [ -z "$BACKUP_DIR" ] || [ ! -d "$BACKUP_DIR" ] || [ ! -r "$BACKUP_DIR" ]; then
  restore_config "BACKUP_DIR is not a readable directory"
fi
[ -n "$BACKUP_NAME" ] || BACKUP_NAME=$(sanitize_name "$(basename "$SQLITE_DB" | sed 's/\.[^.]*$//')")
[ -n "$RESTORE_FROM" ] || RESTORE_FROM=latest
[ -n "$RESTORE_INTO" ] || RESTORE_INTO=new-volume
case $RESTORE_INTO in
  new-volume | in-place) ;;
  *) restore_config "RESTORE_INTO must be new-volume or in-place, got '$RESTORE_INTO'" ;;
esac

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
  *.sqlite) ;;
  *) restore_fail "not a SQLite backup (.sqlite)" ;;
esac

[ -r "$BACKUP_DIR/$RESTORE_FILE.sha256" ] || restore_fail "no checksum file $RESTORE_FILE.sha256"
read -r rs_expected rs_listed <"$BACKUP_DIR/$RESTORE_FILE.sha256" || restore_fail "cannot read $RESTORE_FILE.sha256"
[ "$rs_listed" = "$RESTORE_FILE" ] || restore_fail "$RESTORE_FILE.sha256 names another file"
# shellcheck disable=SC2046 # sha256sum prints "<hex>  -": the first word is the checksum
set -- $(sha256sum <"$BACKUP_DIR/$RESTORE_FILE")
if [ -z "$1" ] || [ "$1" != "$rs_expected" ]; then
  restore_fail "checksum mismatch: the file is not the one the backup wrote"
fi

if [ "$RESTORE_INTO" = new-volume ] && { [ -e "$SQLITE_DB" ] || [ -e "$SQLITE_DB-wal" ]; }; then
  restore_fail "$SQLITE_DB already exists: a new-volume restore starts from an empty data volume (left unchanged)"
fi

# The copy is made and checked beside the database, then renamed over it: the database is the old file or the
# restored one, never a half-written file.
RS_PARTIAL="$rs_dir/.$(basename "$SQLITE_DB").restore-partial"
rm -f "$RS_PARTIAL"
cp "$BACKUP_DIR/$RESTORE_FILE" "$RS_PARTIAL" || restore_fail "cannot copy the backup onto the data volume"
# shellcheck disable=SC2046
set -- $(sha256sum <"$RS_PARTIAL")
[ "$1" = "$rs_expected" ] || restore_fail "the copy on the data volume differs from the backup"
rs_integrity=$(sqlite3 -readonly "$RS_PARTIAL" 'PRAGMA integrity_check;' 2>&1) || restore_fail "sqlite3 cannot open the copy"
[ "$rs_integrity" = ok ] || restore_fail "integrity_check: $(printf '%s' "$rs_integrity" | head -n 1)"
rs_tables=$(sqlite3 -readonly "$RS_PARTIAL" "SELECT count(*) FROM sqlite_schema WHERE type = 'table';") ||
  restore_fail "cannot list the tables of the copy"
# A read-only look at a WAL-mode copy leaves an empty -wal and -shm beside it: not part of the database.
rm -f "$RS_PARTIAL-wal" "$RS_PARTIAL-shm"
if [ -e "$SQLITE_DB" ]; then
  rs_owner=$(stat -c '%u:%g' "$SQLITE_DB")
else
  rs_owner=$(stat -c '%u:%g' "$rs_dir")
fi
chown "$rs_owner" "$RS_PARTIAL" 2>/dev/null || log_line "restore: cannot chown the restored file to $rs_owner (kept $(stat -c '%u:%g' "$RS_PARTIAL"))"
sync "$RS_PARTIAL" 2>/dev/null || sync

if [ "$RESTORE_INTO" = in-place ]; then
  rm -f "$SQLITE_DB-wal" "$SQLITE_DB-shm" "$SQLITE_DB-journal" || restore_fail "cannot remove the old database's -wal/-shm files"
fi
mv -f "$RS_PARTIAL" "$SQLITE_DB" || restore_fail "cannot rename the restored copy into place"
RS_PARTIAL=""
sync
log_line "restore ok file=$RESTORE_FILE sha256=match integrity=ok tables=$rs_tables into=$RESTORE_INTO database=$SQLITE_DB"
