#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# backup-age-check.sh: health check for the backups in a directory. POSIX sh (dash, busybox ash).
# Exits 0 when the newest good backup is younger than BACKUP_STALE_AFTER_SECONDS, 1 when it is older or there
# is none, 2 on a configuration error; prints one line saying why, with the newest failure (.last-failure: a
# failed backup or restore drill) if any. Writes nothing.
#
# BACKUP_DIR                  the backup directory
# BACKUP_STALE_AFTER_SECONDS  maximum age of the newest good backup (>= 1); e.g. the schedule's longest gap
#                             plus the time a dump takes plus a margin
# BACKUP_NAME                 only consider backups with this file-name prefix (optional)
# BACKUP_LIB                  path of backup-lib.sh (default: backup-lib.sh next to this script, e.g. /local/)
#
# The newest good backup is the one named in .last-success (if that file still exists) or the newest
# <name>-<UTC stamp>.dump|.sql.gz|.sqlite file, whichever is newer; its age is measured from its stamp.

[ -n "$BACKUP_LIB" ] || BACKUP_LIB="$(dirname "$0")/backup-lib.sh"
if [ ! -r "$BACKUP_LIB" ]; then
  echo "backup-age-check: cannot read $BACKUP_LIB (set BACKUP_LIB)"
  exit 2
fi
# shellcheck source=backup-lib.sh
. "$BACKUP_LIB"

if [ -z "$BACKUP_DIR" ] || [ ! -d "$BACKUP_DIR" ]; then
  echo "backup-age-check: BACKUP_DIR '$BACKUP_DIR' is not a directory"
  exit 2
fi
if ! is_positive_int "$BACKUP_STALE_AFTER_SECONDS"; then
  echo "backup-age-check: BACKUP_STALE_AFTER_SECONDS must be an integer >= 1, got '$BACKUP_STALE_AFTER_SECONDS'"
  exit 2
fi

ac_now=$(date -u +%s)
ac_newest=$(newest_backup "$BACKUP_DIR" "$BACKUP_NAME")
ac_failure=""
if [ -f "$BACKUP_DIR/.last-failure" ]; then
  ac_failure=" last failure: $(head -n 1 "$BACKUP_DIR/.last-failure")"
fi
if [ -z "$ac_newest" ]; then
  echo "STALE: no good backup in $BACKUP_DIR$ac_failure"
  exit 1
fi
set -f
# shellcheck disable=SC2086 # "<epoch> <file>"
set -- $ac_newest
set +f
ac_age=$((ac_now - $1))
if [ "$ac_age" -lt "$BACKUP_STALE_AFTER_SECONDS" ]; then
  echo "OK: newest backup $2 is $ac_age seconds old (limit $BACKUP_STALE_AFTER_SECONDS)$ac_failure"
  exit 0
fi
echo "STALE: newest backup $2 is $ac_age seconds old (limit $BACKUP_STALE_AFTER_SECONDS)$ac_failure"
exit 1
