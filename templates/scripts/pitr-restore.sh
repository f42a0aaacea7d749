#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# pitr-restore.sh: point-in-time restore from the base backups and the WAL archive that continuous archiving keeps
# (pg-backup.sh BACKUP_BASE_CRON, archive-wal.sh), onto a new data volume. POSIX sh (dash, busybox ash); tar, gzip.
# Configured only through the environment; exit codes: 0 done, 1 failed, 2 configuration error.
#
# PITR_STEP        prepare (a prestart task, as root, in the job's PostgreSQL image): picks the newest base backup
#                  that ended before RESTORE_UNTIL (latest: the newest one), checks that the archive holds every WAL
#                  segment from its start on (latest: up to the newest archived one, so that a gap cannot end the
#                  recovery early in silence), unpacks it into PGDATA (which must be empty) and configures the
#                  recovery: restore_command from the archive, recovery_target_time (not for latest),
#                  recovery_target_action = promote, recovery.signal. A missing segment before the target makes
#                  PostgreSQL stop with "recovery ended before configured recovery target was reached".
#                  verify (the main task beside the server): waits until recovery has finished and the server has
#                  been promoted, then logs what the database holds
# PGDATA           the new data directory (prepare)
# BACKUP_DIR       the backup volume: base/<name>-<stamp>/ and the WAL archive
# BACKUP_WAL_DIR   the WAL archive, as the server sees it too (default BACKUP_DIR/wal)
# BACKUP_BASE_DIR  the base backups (default BACKUP_DIR/base)
# BACKUP_NAME      prefix of the base backups (default: PGDATABASE with unsafe characters replaced by "_")
# RESTORE_UNTIL    YYYY-MM-DDTHH:MM:SSZ (UTC) | latest
# PG_OWNER         uid:gid of the postgres user of the image (prepare)
# PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE  the restored server (verify)
# RESTORE_WAIT_SECONDS  verify: how long recovery may take (default 3600)
#
# Log: "pitr prepared ...", "restore ok until=... tables=N rows=M" or "restore FAILED reason=..." (stderr).

[ -n "$BACKUP_LIB" ] || BACKUP_LIB="$(dirname "$0")/backup-lib.sh"
if [ ! -r "$BACKUP_LIB" ]; then
  echo "pitr-restore: cannot read $BACKUP_LIB (set BACKUP_LIB)" >&2
  exit 2
fi
# shellcheck source=backup-lib.sh
. "$BACKUP_LIB"

pr_config() {
  log_error "restore CONFIG ERROR: $*"
  exit 2
}
pr_fail() {
  log_error "restore FAILED until=$RESTORE_UNTIL reason=\"$*\""
  exit 1
}

[ -n "$RESTORE_UNTIL" ] || pr_config "RESTORE_UNTIL is not set (YYYY-MM-DDTHH:MM:SSZ or latest)"
if [ "$RESTORE_UNTIL" != latest ]; then
  case $RESTORE_UNTIL in
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z) ;;
    *) pr_config "RESTORE_UNTIL must be YYYY-MM-DDTHH:MM:SSZ (UTC) or latest, got '$RESTORE_UNTIL'" ;;
  esac
fi

pr_verify() {
  [ -n "$RESTORE_WAIT_SECONDS" ] || RESTORE_WAIT_SECONDS=3600
  is_uint "$RESTORE_WAIT_SECONDS" || pr_config "RESTORE_WAIT_SECONDS must be a number of seconds"
  pv_waited=0
  # Accepting connections is not enough: during recovery the server answers read-only; wait for the promotion.
  until [ "$(psql -X -q -w -At -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; do
    [ "$pv_waited" -lt "$RESTORE_WAIT_SECONDS" ] ||
      pr_fail "the server did not finish recovery within $RESTORE_WAIT_SECONDS s (see the postgres task's log)"
    sleep 2
    pv_waited=$((pv_waited + 2))
  done
  pv_counts=$(pg_count_sql | psql -X -q -w -At -v ON_ERROR_STOP=1) || pr_fail "cannot count the restored rows"
  pv_tables=$(printf '%s\n' "$pv_counts" | grep -c .)
  pv_rows=$(printf '%s\n' "$pv_counts" | awk -F'|' '{ n += $NF } END { print n + 0 }')
  log_line "restore ok until=$RESTORE_UNTIL database=$PGDATABASE tables=$pv_tables rows=$pv_rows recovery_seconds=$pv_waited"
  exit 0
}

# next_segment NAME: the WAL file after NAME on the same timeline (16 MiB segments: 256 per log id).
next_segment() {
  ns_tli=$(printf '%s' "$1" | cut -c1-8)
  ns_log=$((0x$(printf '%s' "$1" | cut -c9-16)))
  ns_seg=$((0x$(printf '%s' "$1" | cut -c17-24) + 1))
  if [ "$ns_seg" -gt 255 ]; then
    ns_seg=0
    ns_log=$((ns_log + 1))
  fi
  printf '%s%08X%08X\n' "$ns_tli" "$ns_log" "$ns_seg"
}

case $PITR_STEP in
  verify) pr_verify ;;
  prepare) ;;
  *) pr_config "PITR_STEP must be prepare or verify, got '$PITR_STEP'" ;;
esac

[ -n "$PGDATA" ] || pr_config "PGDATA is not set"
[ -n "$BACKUP_BASE_DIR" ] || BACKUP_BASE_DIR="$BACKUP_DIR/base"
if [ -z "$BACKUP_DIR" ] || [ ! -d "$BACKUP_BASE_DIR" ]; then
  pr_config "$BACKUP_BASE_DIR is not a directory: continuous archiving (backup.pitr) has not taken a base backup there"
fi
[ -n "$BACKUP_WAL_DIR" ] || BACKUP_WAL_DIR="$BACKUP_DIR/wal"
case $BACKUP_WAL_DIR in
  *"'"* | *'"'*) pr_config "BACKUP_WAL_DIR must not contain quotes" ;;
esac
[ -d "$BACKUP_WAL_DIR" ] || pr_config "BACKUP_WAL_DIR $BACKUP_WAL_DIR is not a directory"
if [ -z "$BACKUP_NAME" ]; then
  [ -n "$PGDATABASE" ] || pr_config "set BACKUP_NAME or PGDATABASE"
  BACKUP_NAME=$(sanitize_name "$PGDATABASE")
fi

if [ "$RESTORE_UNTIL" = latest ]; then
  pr_target=""
else
  # shellcheck disable=SC2046 # six numeric words
  pr_target=$(civil_to_epoch $(printf '%s' "$RESTORE_UNTIL" | sed 's/^\(....\)-\(..\)-\(..\)T\(..\):\(..\):\(..\)Z$/\1 \2 \3 \4 \5 \6/'))
fi

# The newest complete base backup that ended at or before the target (a hidden .partial one is never complete).
pr_base=""
pr_last="-"
for pr_dir in "$BACKUP_BASE_DIR/$BACKUP_NAME"-*; do
  if [ ! -f "$pr_dir/info" ] || [ ! -f "$pr_dir/base.tar.gz" ]; then
    continue
  fi
  pr_end=$(sed -n 's/^end_epoch //p' "$pr_dir/info")
  is_uint "$pr_end" || continue
  if [ -z "$pr_target" ] || [ "$pr_end" -le "$pr_target" ]; then
    pr_base=$pr_dir
  fi
done
[ -n "$pr_base" ] || pr_fail "no base backup named $BACKUP_NAME ended before $RESTORE_UNTIL"
pr_start=$(sed -n 's/^start_wal //p' "$pr_base/info")
case $pr_start in
  [0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]) ;;
  *) pr_fail "$(basename "$pr_base")/info names no WAL start segment" ;;
esac
[ -f "$BACKUP_WAL_DIR/$pr_start" ] || pr_fail "WAL segment $pr_start, where base backup $(basename "$pr_base") starts, is not in the archive"

if [ -z "$pr_target" ]; then
  # latest: every archived segment of the timeline from the start on must be there, in sequence.
  pr_tli=$(printf '%s' "$pr_start" | cut -c1-8)
  pr_expected=$pr_start
  pr_last=$pr_start
  for pr_file in "$BACKUP_WAL_DIR/$pr_tli"*; do
    pr_name=$(basename "$pr_file")
    case $pr_name in
      *.*) continue ;; # .history, .backup, .partial files
    esac
    [ "$(printf '%s\n%s\n' "$pr_name" "$pr_start" | LC_ALL=C sort | head -n 1)" = "$pr_start" ] || continue
    [ "$pr_name" = "$pr_expected" ] || pr_fail "WAL segment $pr_expected is missing from the archive (the next one is $pr_name): a restore to latest would end there"
    pr_last=$pr_name
    pr_expected=$(next_segment "$pr_name")
  done
fi

mkdir -p "$PGDATA" || pr_fail "cannot create $PGDATA"
[ -z "$(ls -A "$PGDATA")" ] || pr_fail "$PGDATA is not empty: a point-in-time restore starts from a new, empty data volume (left unchanged)"
if ! tar -xzf "$pr_base/base.tar.gz" -C "$PGDATA"; then
  rm -rf "$PGDATA" # it was empty before: only what was unpacked goes
  pr_fail "cannot unpack $(basename "$pr_base")/base.tar.gz"
fi
{
  printf '\n# nomad-db point-in-time restore (%s): used until the promotion\n' "$RESTORE_UNTIL"
  printf "restore_command = 'cp \"%s/%%f\" \"%%p\"'\n" "$BACKUP_WAL_DIR"
  if [ -n "$pr_target" ]; then
    printf "recovery_target_time = '%s'\n" "$(printf '%s' "$RESTORE_UNTIL" | sed 's/T/ /; s/Z$/+00/')"
  fi
  printf "recovery_target_action = 'promote'\n"
} >>"$PGDATA/postgresql.auto.conf" || pr_fail "cannot write the recovery settings"
: >"$PGDATA/recovery.signal" || pr_fail "cannot write recovery.signal"
chmod 700 "$PGDATA"
if [ -n "$PG_OWNER" ]; then
  chown -R "$PG_OWNER" "$PGDATA" || pr_fail "cannot hand $PGDATA to $PG_OWNER"
fi
log_line "pitr prepared base=$(basename "$pr_base") start_wal=$pr_start until=$RESTORE_UNTIL last_wal=$pr_last"
