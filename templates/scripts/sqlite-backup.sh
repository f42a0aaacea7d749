#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# sqlite-backup.sh: scheduled, atomic, checked backups of a SQLite database file, with retention.
# POSIX sh (dash, busybox ash); needs the sqlite3 command-line shell plus sha256sum, sync, date, sed (coreutils or busybox).
# Configured only through the environment; exit codes: 0 ok, 1 the run failed, 2 configuration error.
#
# SQLITE_DB                     the live database file (read through SQLite, so a running writer is fine)
# SQLITE_BUSY_TIMEOUT_MS        how long the copy waits for a lock (default 10000)
# BACKUP_LIB                    path of backup-lib.sh (default: backup-lib.sh next to this script, e.g. /local/)
# BACKUP_DIR                    destination directory (the backup volume); must exist and be writable
# BACKUP_NAME                   file-name prefix (default: the file name of SQLITE_DB without its extension)
# BACKUP_KEEP_LAST, BACKUP_MAX_AGE_SECONDS, BACKUP_MODE (once | loop), BACKUP_CRON, TZ,
# BACKUP_INTERVAL_SECONDS, BACKUP_RETRY_SECONDS, BACKUP_STALE_AFTER_SECONDS, BACKUP_LOOP_ITERATIONS
#                               as in pg-backup.sh
#
# Per run: `sqlite3 SQLITE_DB ".backup '<BACKUP_DIR>/.<name>-<stamp>.partial'"` (SQLite's online backup API: a
# consistent copy even while the application writes), PRAGMA integrity_check on the copy, sha256, sync, rename
# to <name>-<UTC stamp>.sqlite plus <file>.sha256, retention, .last-success; on failure .last-failure.

[ -n "$BACKUP_LIB" ] || BACKUP_LIB="$(dirname "$0")/backup-lib.sh"
if [ ! -r "$BACKUP_LIB" ]; then
  echo "sqlite-backup: cannot read $BACKUP_LIB (set BACKUP_LIB)" >&2
  exit 2
fi
# shellcheck source=backup-lib.sh
. "$BACKUP_LIB"

[ -n "$SQLITE_DB" ] || config_error "SQLITE_DB is not set"
[ -z "$BACKUP_DRILL_CRON" ] || config_error "SQLite backups have no restore drill (BACKUP_DRILL_CRON)"
[ -n "$SQLITE_BUSY_TIMEOUT_MS" ] || SQLITE_BUSY_TIMEOUT_MS=10000
is_positive_int "$SQLITE_BUSY_TIMEOUT_MS" ||
  config_error "SQLITE_BUSY_TIMEOUT_MS must be an integer >= 1, got '$SQLITE_BUSY_TIMEOUT_MS'"
[ -n "$BACKUP_NAME" ] || BACKUP_NAME=$(sanitize_name "$(basename "$SQLITE_DB" | sed 's/\.[^.]*$//')")
BACKUP_EXT=.sqlite
# The destination is quoted inside a sqlite3 dot-command.
case $BACKUP_DIR in
  *"'"*) config_error "BACKUP_DIR must not contain a single quote" ;;
esac
backup_validate_common

backup_produce() {
  # sqlite3 would silently create an empty database for a missing file.
  if [ ! -f "$SQLITE_DB" ]; then
    FAIL_REASON="$SQLITE_DB does not exist"
    return 1
  fi
  sqlite3 -cmd ".timeout $SQLITE_BUSY_TIMEOUT_MS" "$SQLITE_DB" ".backup '$1'" || {
    FAIL_REASON="sqlite3 .backup failed"
    return 1
  }
  sp_check=$(sqlite3 "$1" 'PRAGMA integrity_check;' 2>&1)
  sp_tables=$(sqlite3 "$1" "SELECT count(*) FROM sqlite_master WHERE type = 'table';" 2>/dev/null)
  # A copy of a WAL-mode database is itself in WAL mode; opening it must leave nothing behind.
  rm -f "$1-wal" "$1-shm" "$1-journal"
  if [ "$sp_check" != ok ]; then
    FAIL_REASON="PRAGMA integrity_check on the copy: $(printf '%s\n' "$sp_check" | head -n 1)"
    return 1
  fi
  RUN_SUMMARY=" integrity=ok tables=$sp_tables"
}

backup_main
