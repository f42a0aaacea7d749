#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# pg-backup.sh: scheduled, atomic, checked PostgreSQL backups with retention and optional restore-verify.
# POSIX sh for the official postgres images (debian: dash, alpine: busybox ash); the client tools of the image
# (pg_dump, pg_dumpall, pg_restore, psql, createdb, dropdb) must be at least the server's version.
# Configured only through the environment; exit codes: 0 ok, 1 the run failed, 2 configuration error.
#
# Connection (libpq): PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (any other PG* variable works too).
#   Passwords are never logged and never on a command line.
# BACKUP_LIB               path of backup-lib.sh (default: backup-lib.sh next to this script, e.g. /local/)
# BACKUP_DIR               destination directory (the backup volume); must exist and be writable
# BACKUP_SCOPE             database (default): pg_dump of PGDATABASE
#                          cluster: pg_dumpall of every database and the roles (PGUSER must be a superuser);
#                          always plain SQL, gzip-compressed
# BACKUP_FORMAT            custom (default, pg_dump -Fc, file .dump) | plain-gzip (file .sql.gz)
# BACKUP_NAME              file-name prefix (default: PGDATABASE with unsafe characters replaced by "_";
#                          "cluster" for BACKUP_SCOPE=cluster); one name per BACKUP_DIR
# BACKUP_KEEP_LAST         keep the newest N good backups (N >= 1; optional)
# BACKUP_MAX_AGE_SECONDS   delete good backups older than this (optional); the newest is never deleted
# BACKUP_VERIFY            none (default) | restore: restore the new dump into a scratch database and compare
#                          exact per-table row counts with the source, counted in the dump's own snapshot
#                          (so concurrent writes cause no false alarm); a mismatch fails the run
# BACKUP_VERIFY_DATABASE   scratch database (default: "<PGDATABASE>_restore_verify"), dropped before and after
# BACKUP_VERIFY_PGUSER, BACKUP_VERIFY_PGPASSWORD
#                          optional role for creating, restoring into and dropping the scratch database
#                          (default: PGUSER, which then needs CREATEDB and must be able to own the objects)
# BACKUP_MODE              once (default): one run, exit status = result (periodic batch job)
#                          base: one base backup now (continuous archiving, see BACKUP_BASE_CRON), exit status = result
#                          loop: long-running sidecar; failed runs are logged and marked, the loop goes on
#                          verify: one restore drill (below), exit status = result
# BACKUP_CRON              loop mode: 5-field cron (see backup-lib.sh), evaluated each minute in TZ
# BACKUP_DRILL_CRON        restore drills on this 5-field cron, in BACKUP_DRILL_TZ (default TZ): the newest good
#                          backup, checked against its .sha256, restored into the scratch database and compared
#                          with its manifest's row counts (what the database held when the dump was taken, never
#                          the live data); "drill ok|FAILED" lines, .last-failure "drill: ..." as a failed backup.
#                          Loop mode: a second schedule of the loop. Once mode (a periodic job with both crons):
#                          the launch time in NOMAD_JOB_ID ("<job>/periodic-<epoch>") says which cron fired
# TZ                       time zone of BACKUP_CRON (needs tzdata; both postgres images ship it)
# BACKUP_INTERVAL_SECONDS  loop mode instead of a cron: run when the newest good backup is this old
# BACKUP_RETRY_SECONDS     interval mode: wait after a failed run (default: min(300, interval))
# BACKUP_STALE_AFTER_SECONDS
#                          loop mode: exit 1 when the newest good backup (or the start of the loop, if later)
#                          is this old, so that a Nomad task without script checks fails visibly
# BACKUP_LOOP_ITERATIONS   loop mode: stop after N minute ticks (tests, debugging; default: never)
# BACKUP_BASE_CRON         continuous archiving (loop mode, BACKUP_SCOPE=database): a pg_basebackup on this 5-field
#                          cron (in TZ) into BACKUP_DIR/base/<name>-<stamp>/ (base.tar.gz, backup_manifest, info);
#                          the server archives its WAL with archive-wal.sh into BACKUP_WAL_DIR. Needs a replication
#                          connection: the image's pg_hba.conf allows it from 127.0.0.1, as PGUSER (a superuser)
# BACKUP_WAL_DIR           the WAL archive (default BACKUP_DIR/wal); created and handed to BACKUP_WAL_OWNER
# BACKUP_BASE_DIR          where base backups go (default BACKUP_DIR/base): one archive and one base directory per
#                          data volume, so that a restored or upgraded cluster never meets another cluster's WAL
# BACKUP_WAL_OWNER         uid:gid of the postgres user of the server's image (archive_command runs as it)
# BACKUP_PITR_WINDOW_SECONDS
#                          the recovery window: after each base backup, base backups are kept so that every moment
#                          of the last N seconds can be restored (all that ended within it, and the newest one
#                          before it), and WAL older than the oldest kept base backup is removed (pg_archivecleanup)
#                          Archiving stalls (pg_stat_archiver: the last failure newer than the last success) are
#                          checked every BACKUP_ARCHIVE_CHECK_MINUTES (default 5): "archive FAILED ..." and
#                          .last-failure "archive: ..." (which the heartbeat reports).
# BACKUP_WAIT_SECONDS      wait up to this long for the server to accept connections before the first run (a one-shot
#                          job whose PostgreSQL starts beside it, e.g. the major upgrade's dump); default: no wait
#
# Per run: dump to BACKUP_DIR/.<name>-<stamp>.partial; check it (pg_restore --list, or gzip -t plus pg_dump's
# "dump complete" trailer); optional restore-verify; sha256; sync; rename to <name>-<UTC stamp>.dump|.sql.gz
# plus <file>.sha256 and <file>.manifest (database, server version, size, checksum, per-table row counts counted
# in the dump's snapshot); retention; .last-success. On failure: the partial file is removed, older backups are
# kept, .last-failure is written, the reason goes to stderr, the status is non-zero.
# Log: one line per run with name, file, size in bytes, duration in seconds (and the verify result).

[ -n "$BACKUP_LIB" ] || BACKUP_LIB="$(dirname "$0")/backup-lib.sh"
if [ ! -r "$BACKUP_LIB" ]; then
  echo "pg-backup: cannot read $BACKUP_LIB (set BACKUP_LIB)" >&2
  exit 2
fi
# shellcheck source=backup-lib.sh
. "$BACKUP_LIB"

[ -n "$BACKUP_SCOPE" ] || BACKUP_SCOPE=database
[ -n "$BACKUP_VERIFY" ] || BACKUP_VERIFY=none
case $BACKUP_SCOPE in
  database)
    [ -n "$PGDATABASE" ] || config_error "PGDATABASE is not set (BACKUP_SCOPE=database)"
    [ -n "$BACKUP_FORMAT" ] || BACKUP_FORMAT=custom
    [ -n "$BACKUP_NAME" ] || BACKUP_NAME=$(sanitize_name "$PGDATABASE")
    ;;
  cluster)
    [ -z "$BACKUP_FORMAT" ] || [ "$BACKUP_FORMAT" = plain-gzip ] ||
      config_error "BACKUP_SCOPE=cluster is always plain-gzip, got BACKUP_FORMAT=$BACKUP_FORMAT"
    BACKUP_FORMAT=plain-gzip
    [ -n "$BACKUP_NAME" ] || BACKUP_NAME=cluster
    [ "$BACKUP_VERIFY" = none ] || config_error "BACKUP_VERIFY=restore is not available for BACKUP_SCOPE=cluster"
    if [ "$BACKUP_MODE" = verify ] || [ -n "$BACKUP_DRILL_CRON" ]; then
      config_error "restore drills are not available for BACKUP_SCOPE=cluster"
    fi
    ;;
  *) config_error "BACKUP_SCOPE must be database or cluster, got '$BACKUP_SCOPE'" ;;
esac
case $BACKUP_FORMAT in
  custom) BACKUP_EXT=.dump ;;
  plain-gzip) BACKUP_EXT=.sql.gz ;;
  *) config_error "BACKUP_FORMAT must be custom or plain-gzip, got '$BACKUP_FORMAT'" ;;
esac
case $BACKUP_VERIFY in
  none | restore) ;;
  *) config_error "BACKUP_VERIFY must be none or restore, got '$BACKUP_VERIFY'" ;;
esac
if [ -n "$BACKUP_DRILL_CRON" ]; then
  cron_matches "$BACKUP_DRILL_CRON" 2000 01 01 00 00 6
  [ $? -eq 2 ] && config_error "BACKUP_DRILL_CRON '$BACKUP_DRILL_CRON' is not a valid 5-field cron expression"
fi
if [ "$BACKUP_VERIFY" = restore ] || [ "$BACKUP_MODE" = verify ] || [ -n "$BACKUP_DRILL_CRON" ]; then
  [ -n "$BACKUP_VERIFY_DATABASE" ] || BACKUP_VERIFY_DATABASE="$PGDATABASE"_restore_verify
  # The scratch database is dropped: it must never be the database being backed up.
  [ "$BACKUP_VERIFY_DATABASE" != "$PGDATABASE" ] ||
    config_error "BACKUP_VERIFY_DATABASE must differ from PGDATABASE"
fi
if [ "$BACKUP_MODE" = verify ]; then
  BACKUP_MODE=once BACKUP_DRILL_NOW=yes
fi
if [ "$BACKUP_MODE" = base ]; then
  BACKUP_MODE=once BACKUP_BASE_NOW=yes
fi
if [ -n "$BACKUP_BASE_CRON" ] || [ "$BACKUP_BASE_NOW" = yes ]; then
  [ "$BACKUP_SCOPE" = database ] || config_error "continuous archiving needs BACKUP_SCOPE=database"
  if [ -n "$BACKUP_BASE_CRON" ]; then
    cron_matches "$BACKUP_BASE_CRON" 2000 01 01 00 00 6
    [ $? -eq 2 ] && config_error "BACKUP_BASE_CRON '$BACKUP_BASE_CRON' is not a valid 5-field cron expression"
  fi
  [ -n "$BACKUP_WAL_DIR" ] || BACKUP_WAL_DIR="$BACKUP_DIR/wal"
  [ -n "$BACKUP_BASE_DIR" ] || BACKUP_BASE_DIR="$BACKUP_DIR/base"
  [ -n "$BACKUP_ARCHIVE_CHECK_MINUTES" ] || BACKUP_ARCHIVE_CHECK_MINUTES=5
  is_positive_int "$BACKUP_ARCHIVE_CHECK_MINUTES" || config_error "BACKUP_ARCHIVE_CHECK_MINUTES must be an integer >= 1"
  if [ -n "$BACKUP_PITR_WINDOW_SECONDS" ] && ! is_positive_int "$BACKUP_PITR_WINDOW_SECONDS"; then
    config_error "BACKUP_PITR_WINDOW_SECONDS must be an integer >= 1, got '$BACKUP_PITR_WINDOW_SECONDS'"
  fi
fi
backup_validate_common
if [ -n "$BACKUP_WAIT_SECONDS" ] && ! is_uint "$BACKUP_WAIT_SECONDS"; then
  config_error "BACKUP_WAIT_SECONDS must be a number of seconds, got '$BACKUP_WAIT_SECONDS'"
fi

# Runs a client command as the scratch-database role when one is configured.
as_verify_role() {
  if [ -n "$BACKUP_VERIFY_PGUSER" ]; then
    PGUSER=$BACKUP_VERIFY_PGUSER PGPASSWORD=$BACKUP_VERIFY_PGPASSWORD "$@"
  else
    "$@"
  fi
}

# pg_dump_to FILE [PG_DUMP_ARGS...]: the dump itself, in the configured scope and format.
pg_dump_to() {
  pd_file=$1
  shift
  if [ "$BACKUP_SCOPE" = cluster ]; then
    { pg_dumpall --no-password "$@"; echo $? >"$BACKUP_WORK/pg_dump.rc"; } | gzip -c >"$pd_file" || return 1
  elif [ "$BACKUP_FORMAT" = custom ]; then
    pg_dump --no-password --format=custom --file="$pd_file" "$@"
    return $?
  else
    { pg_dump --no-password --format=plain "$@"; echo $? >"$BACKUP_WORK/pg_dump.rc"; } | gzip -c >"$pd_file" || return 1
  fi
  read -r pd_rc <"$BACKUP_WORK/pg_dump.rc" || return 1
  [ "$pd_rc" = 0 ]
}

# Feeds a psql session that exports its snapshot, waits for it, runs pg_dump in that snapshot and then counts
# the rows of every table in the same snapshot. Runs on the left side of a pipe into psql.
pg_snapshot_session() {
  printf '%s\n' 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;' \
    "\\o '$BACKUP_WORK/snapshot'" 'SELECT pg_catalog.pg_export_snapshot();' '\o' \
    "\\! touch '$BACKUP_WORK/snapshot.ready'"
  ss_ticks=0
  while [ ! -f "$BACKUP_WORK/snapshot.ready" ]; do
    [ -f "$BACKUP_WORK/psql.rc" ] && return 1
    ss_ticks=$((ss_ticks + 1))
    [ "$ss_ticks" -gt 1200 ] && return 1
    sleep 0.1 2>/dev/null || sleep 1
  done
  read -r ss_snapshot <"$BACKUP_WORK/snapshot" || return 1
  pg_dump_to "$1" --snapshot="$ss_snapshot"
  echo $? >"$BACKUP_WORK/dump.rc"
  printf '%s\n' "\\o '$BACKUP_WORK/source.counts'" "\\i '$BACKUP_WORK/counts.sql'" '\o' \
    "\\o '$BACKUP_WORK/server_version'" 'SHOW server_version_num;' '\o' 'COMMIT;'
}

pg_dump_in_snapshot() {
  pg_snapshot_session "$1" | {
    psql -X -q -w -At -v ON_ERROR_STOP=1 >/dev/null
    echo $? >"$BACKUP_WORK/psql.rc"
  }
  ds_dump_rc=none
  ds_psql_rc=none
  [ -f "$BACKUP_WORK/dump.rc" ] && read -r ds_dump_rc <"$BACKUP_WORK/dump.rc"
  [ -f "$BACKUP_WORK/psql.rc" ] && read -r ds_psql_rc <"$BACKUP_WORK/psql.rc"
  if [ "$ds_dump_rc" = none ]; then
    FAIL_REASON="the snapshot session for pg_dump failed (psql exit $ds_psql_rc)"
    return 1
  fi
  if [ "$ds_dump_rc" != 0 ]; then
    FAIL_REASON="pg_dump failed (exit $ds_dump_rc; snapshot session exit $ds_psql_rc)"
    return 1
  fi
  if [ "$ds_psql_rc" != 0 ] || [ ! -f "$BACKUP_WORK/source.counts" ]; then
    FAIL_REASON="counting the source rows in the dump's snapshot failed (psql exit $ds_psql_rc)"
    return 1
  fi
}

check_dump() {
  if [ "$BACKUP_FORMAT" = custom ]; then
    pg_restore --list "$1" >/dev/null || {
      FAIL_REASON="pg_restore --list rejected the dump"
      return 1
    }
  else
    gzip -t "$1" || {
      FAIL_REASON="gzip -t rejected the dump"
      return 1
    }
    # pg_dump and pg_dumpall end with "-- PostgreSQL database [cluster] dump complete": a cut-off dump does not.
    gzip -dc "$1" | tail -n 8 | grep -q '^-- PostgreSQL database .*dump complete' || {
      FAIL_REASON="the dump has no 'dump complete' trailer (truncated?)"
      return 1
    }
  fi
}

# verify_restore FILE SOURCE_COUNTS: restore into the scratch database, count, drop it, compare.
verify_restore() {
  vr_db=$BACKUP_VERIFY_DATABASE
  # The scratch database gets the source's encoding and locale, so every row can be restored.
  # shellcheck disable=SC2046 # three words: encoding, collate, ctype
  set -- "$1" "$2" $(psql -X -q -w -At -F ' ' -v ON_ERROR_STOP=1 -c \
    'SELECT pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()')
  if [ $# -ne 5 ]; then
    FAIL_REASON="restore-verify: cannot read the source database's encoding and locale"
    return 1
  fi
  PGOPTIONS="$PGOPTIONS -c client_min_messages=warning" as_verify_role dropdb --no-password --if-exists "$vr_db" || {
    FAIL_REASON="restore-verify: cannot drop the old scratch database $vr_db"
    return 1
  }
  as_verify_role createdb --no-password --template=template0 --encoding="$3" --lc-collate="$4" --lc-ctype="$5" "$vr_db" || {
    FAIL_REASON="restore-verify: cannot create the scratch database $vr_db"
    return 1
  }
  vr_ok=yes
  if [ "$BACKUP_FORMAT" = custom ]; then
    as_verify_role pg_restore --no-password --exit-on-error --no-owner --no-privileges --no-publications \
      --no-subscriptions --dbname="$vr_db" "$1" || vr_ok=no
  else
    gzip -dc "$1" | as_verify_role psql -X -q -w -v ON_ERROR_STOP=1 --dbname="$vr_db" >/dev/null || vr_ok=no
  fi
  if [ "$vr_ok" = yes ]; then
    pg_count_sql | as_verify_role psql -X -q -w -At -v ON_ERROR_STOP=1 --dbname="$vr_db" \
      >"$BACKUP_WORK/restored.counts" || vr_ok=counting
  fi
  PGOPTIONS="$PGOPTIONS -c client_min_messages=warning" as_verify_role dropdb --no-password --if-exists "$vr_db" ||
    log_error "backup WARNING: cannot drop the scratch database $vr_db"
  case $vr_ok in
    no) FAIL_REASON="restore-verify: restoring into $vr_db failed"; return 1 ;;
    counting) FAIL_REASON="restore-verify: counting the rows in $vr_db failed"; return 1 ;;
  esac
  LC_ALL=C sort "$2" >"$BACKUP_WORK/a.counts"
  LC_ALL=C sort "$BACKUP_WORK/restored.counts" >"$BACKUP_WORK/b.counts"
  vr_tables=$(grep -c . "$BACKUP_WORK/a.counts")
  vr_rows=$(awk -F'|' '{ s += $NF } END { print s + 0 }' "$BACKUP_WORK/a.counts")
  if cmp -s "$BACKUP_WORK/a.counts" "$BACKUP_WORK/b.counts"; then
    RUN_SUMMARY=" verify=match tables=$vr_tables rows=$vr_rows"
    return 0
  fi
  awk -F'|' '
    function table_name() { return substr($0, 1, length($0) - length($NF) - 1) }
    FILENAME == ARGV[1] { source[table_name()] = $NF; next }
    { restored[table_name()] = $NF }
    END {
      for (t in source) {
        if (!(t in restored)) print "table=" t " source=" source[t] " restored=missing"
        else if (source[t] != restored[t]) print "table=" t " source=" source[t] " restored=" restored[t]
      }
      for (t in restored) {
        if (!(t in source)) print "table=" t " source=missing restored=" restored[t]
      }
    }' "$BACKUP_WORK/a.counts" "$BACKUP_WORK/b.counts" | LC_ALL=C sort >"$BACKUP_WORK/mismatch"
  while read -r vr_line; do
    log_error "verify mismatch name=$BACKUP_NAME $vr_line"
  done <"$BACKUP_WORK/mismatch"
  RUN_SUMMARY=" verify=mismatch"
  FAIL_REASON="restore-verify: row counts differ in $(grep -c . "$BACKUP_WORK/mismatch") of $vr_tables table(s)"
  return 1
}

new_work_dir() {
  BACKUP_WORK=$(mktemp -d) || {
    FAIL_REASON="mktemp -d failed"
    return 1
  }
}

drop_work_dir() {
  rm -rf "$BACKUP_WORK"
  BACKUP_WORK=""
}

# A database dump is taken in an exported snapshot, in which the rows of every table are counted too: the counts go
# into the manifest (and restore-verify compares with them), so they describe exactly what the dump holds.
backup_produce() {
  new_work_dir || return 1
  if [ "$BACKUP_SCOPE" = database ]; then
    pg_count_sql >"$BACKUP_WORK/counts.sql"
    pg_dump_in_snapshot "$1" || return 1
  else
    pg_dump_to "$1" || {
      FAIL_REASON="pg_dumpall failed"
      return 1
    }
  fi
  check_dump "$1" || return 1
  if [ "$BACKUP_VERIFY" = restore ]; then
    verify_restore "$1" "$BACKUP_WORK/source.counts" || return 1
  fi
}

# backup_manifest FILE BACKUP SHA256 SIZE STAMP (called by backup_run before the rename): what the backup holds, one
# "key value" per line, then "rows <count> <schema.table>" per table (database scope), counted in the dump's snapshot.
backup_manifest() {
  if [ -f "$BACKUP_WORK/server_version" ]; then
    read -r bm_version <"$BACKUP_WORK/server_version" || bm_version=""
  else
    bm_version=$(psql -X -q -w -At -v ON_ERROR_STOP=1 -c 'SHOW server_version_num' 2>/dev/null) || bm_version=""
  fi
  is_uint "$bm_version" || {
    FAIL_REASON="manifest: cannot read the server version"
    return 1
  }
  {
    printf '%s\n' "nomad-db-backup-manifest 1"
    printf 'file %s\n' "$2"
    printf 'scope %s\n' "$BACKUP_SCOPE"
    [ "$BACKUP_SCOPE" = cluster ] || printf 'database %s\n' "$PGDATABASE"
    printf 'format %s\n' "$BACKUP_FORMAT"
    printf 'server_version_num %s\n' "$bm_version"
    printf 'size %s\n' "$4"
    printf 'sha256 %s\n' "$3"
    printf 'stamp %s\n' "$5"
    if [ -f "$BACKUP_WORK/source.counts" ]; then
      printf 'tables %s\n' "$(grep -c . "$BACKUP_WORK/source.counts")"
      LC_ALL=C sort "$BACKUP_WORK/source.counts" | awk -F'|' '{ print "rows " $NF " " substr($0, 1, length($0) - length($NF) - 1) }'
    fi
  } >"$1" || {
    FAIL_REASON="cannot write the manifest"
    return 1
  }
  drop_work_dir
}


# Continuous archiving: the WAL archive exists and belongs to the server's user before the server needs it.
wal_dir_setup() {
  [ -n "$BACKUP_WAL_DIR" ] || return 0
  mkdir -p "$BACKUP_WAL_DIR" "$BACKUP_BASE_DIR" || config_error "cannot create $BACKUP_WAL_DIR"
  if [ -n "$BACKUP_WAL_OWNER" ]; then
    chown "$BACKUP_WAL_OWNER" "$BACKUP_WAL_DIR" || config_error "cannot hand $BACKUP_WAL_DIR to $BACKUP_WAL_OWNER"
  fi
}

# lsn_segment TIMELINE LSN: the WAL file name holding LSN ("X/Y", hex) on TIMELINE, for 16 MiB segments.
lsn_segment() {
  ls_hi=$(printf '%s' "$2" | cut -d/ -f1)
  ls_lo=$(printf '%s' "$2" | cut -d/ -f2)
  printf '%08X%08X%08X\n' "$1" "$((0x$ls_hi))" "$((0x$ls_lo / 16777216))"
}

# One base backup: pg_basebackup (tar, gzip, no WAL: the archive holds it; the server waits until the backup's WAL
# is archived) into a hidden directory, its WAL start read from backup_manifest, renamed when complete.
backup_base() {
  bb_start=$(date -u +%s)
  bb_stamp=$(date -u "+$BACKUP_STAMP_FORMAT")
  bb_final="$BACKUP_BASE_DIR/$BACKUP_NAME-$bb_stamp"
  bb_tmp="$BACKUP_BASE_DIR/.$BACKUP_NAME-$bb_stamp.partial"
  mkdir -p "$BACKUP_BASE_DIR" || { base_fail "cannot create $BACKUP_BASE_DIR"; return 1; }
  rm -rf "$BACKUP_BASE_DIR/.$BACKUP_NAME"-*.partial
  if ! bb_err=$(pg_basebackup --no-password --pgdata="$bb_tmp" --format=tar --gzip --wal-method=none \
    --checkpoint=fast --label="nomad-db $bb_stamp" 2>&1); then
    rm -rf "$bb_tmp"
    base_fail "pg_basebackup failed: $(printf '%s' "$bb_err" | tail -n 1)"
    return 1
  fi
  bb_tli=$(sed -n 's/.*"Timeline": *\([0-9][0-9]*\).*/\1/p' "$bb_tmp/backup_manifest" | head -n 1)
  bb_lsn=$(sed -n 's/.*"Start-LSN": *"\([0-9A-F]*\/[0-9A-F]*\)".*/\1/p' "$bb_tmp/backup_manifest" | head -n 1)
  if [ -z "$bb_tli" ] || [ -z "$bb_lsn" ] || [ ! -s "$bb_tmp/base.tar.gz" ]; then
    rm -rf "$bb_tmp"
    base_fail "the base backup has no base.tar.gz or no WAL range in its backup_manifest"
    return 1
  fi
  bb_end=$(date -u +%s)
  if ! { printf 'start_wal %s\nstart_epoch %s\nend_epoch %s\n' "$(lsn_segment "$bb_tli" "$bb_lsn")" "$bb_start" "$bb_end" >"$bb_tmp/info" &&
    sync && mv "$bb_tmp" "$bb_final"; }; then
    rm -rf "$bb_tmp"
    base_fail "cannot complete $bb_final"
    return 1
  fi
  base_retention "$bb_end"
  log_line "base backup ok name=$BACKUP_NAME dir=base/$(basename "$bb_final") start_wal=$(lsn_segment "$bb_tli" "$bb_lsn") duration=$((bb_end - bb_start))s$BASE_SUMMARY"
  return 0
}

base_fail() {
  write_marker .last-failure "$(date -u +%s) base backup: $*" || log_error "base backup: cannot write $BACKUP_DIR/.last-failure"
  log_error "base backup FAILED name=$BACKUP_NAME reason=\"$*\""
}

# base_info DIR KEY: a value of a base backup's info file.
base_info() {
  sed -n "s/^$2 //p" "$1/info" 2>/dev/null
}

# Keeps the base backups the recovery window needs and the WAL they need; removes older ones.
base_retention() {
  BASE_SUMMARY=""
  [ -n "$BACKUP_PITR_WINDOW_SECONDS" ] || return 0
  br_cutoff=$(($1 - BACKUP_PITR_WINDOW_SECONDS))
  br_keep=""
  br_before=""
  br_list=$(mktemp) || return 0
  printf '%s\n' "$BACKUP_BASE_DIR/$BACKUP_NAME"-* | sort -r >"$br_list"
  # Newest first: keep every base backup that ended inside the window, and the newest one that ended before it.
  while IFS= read -r br_dir; do
    [ -f "$br_dir/info" ] || continue
    br_end=$(base_info "$br_dir" end_epoch)
    is_uint "$br_end" || continue
    if [ -z "$br_keep" ] || [ "$br_end" -ge "$br_cutoff" ] || [ "$br_before" != yes ]; then
      [ "$br_end" -ge "$br_cutoff" ] || br_before=yes
      br_keep=$br_dir
      continue
    fi
    rm -rf "$br_dir" && BASE_SUMMARY="$BASE_SUMMARY removed=base/$(basename "$br_dir")"
  done <"$br_list"
  rm -f "$br_list"
  [ -n "$br_keep" ] || return 0
  br_wal=$(base_info "$br_keep" start_wal)
  [ -n "$br_wal" ] || return 0
  # Everything older than the oldest kept base backup's first segment: it can never be replayed again.
  if ! pg_archivecleanup "$BACKUP_WAL_DIR" "$br_wal" 2>/dev/null; then
    log_error "base backup: pg_archivecleanup $BACKUP_WAL_DIR $br_wal failed; old WAL is kept"
  fi
}

# Archiving stalls: the archiver's last failure is newer than its last success. Reported once per failure time.
ARCHIVE_REPORTED=""
archive_check() {
  ac_row=$(psql -X -q -w -At -F ' ' -c "SELECT coalesce(extract(epoch FROM last_failed_time)::bigint, 0), coalesce(extract(epoch FROM last_archived_time)::bigint, 0), coalesce(last_failed_wal, '-'), failed_count, coalesce(last_archived_wal, '-') FROM pg_stat_archiver" 2>/dev/null) || return 0
  # shellcheck disable=SC2086 # five words
  set -- $ac_row
  [ "$#" -eq 5 ] || return 0
  if [ -n "$ARCHIVE_REPORTED" ] && [ "$2" -gt "$ARCHIVE_REPORTED" ] && [ "$2" -gt "$1" ]; then
    # Archiving works again after a reported failure: say so once, and clear the failure's marker.
    ARCHIVE_REPORTED=""
    grep -q '^[0-9]* archive: ' "$BACKUP_DIR/.last-failure" 2>/dev/null && rm -f "$BACKUP_DIR/.last-failure"
    log_line "archive ok name=$BACKUP_NAME segment=$5 recovered=yes"
  fi
  if [ "$1" -gt "$2" ] && [ "$1" != "$ARCHIVE_REPORTED" ]; then
    ARCHIVE_REPORTED=$1
    write_marker .last-failure "$(date -u +%s) archive: WAL archiving is failing (last failed segment $3, $4 failures); see the PostgreSQL task's log" ||
      log_error "archive: cannot write $BACKUP_DIR/.last-failure"
    log_error "archive FAILED name=$BACKUP_NAME segment=$3 failures=$4 reason=\"the archiver's last attempt failed\""
  fi
}

# The restore drill (BACKUP_DRILL_CRON, BACKUP_MODE=verify): the newest good backup against its .sha256 and its
# manifest only, never against the live data, so writes since the dump cannot raise a false alarm. A failure is
# marked and logged as a failed backup is; success clears only a drill's failure marker.
backup_drill() {
  dr_start=$(date -u +%s)
  dr_file=$(list_backups "$BACKUP_DIR" "$BACKUP_NAME" | grep -v '\.sqlite$' | tail -n 1)
  FAIL_REASON=""
  RUN_SUMMARY=""
  if [ -z "$dr_file" ]; then
    FAIL_REASON="no backup named $BACKUP_NAME in $BACKUP_DIR"
  elif ! (cd "$BACKUP_DIR" && sha256sum -c "$dr_file.sha256" >/dev/null 2>&1); then
    FAIL_REASON="checksum mismatch (or no $dr_file.sha256)"
  elif ! grep -q '^rows ' "$BACKUP_DIR/$dr_file.manifest" 2>/dev/null; then
    FAIL_REASON="no row counts in $dr_file.manifest to compare with"
  elif new_work_dir; then
    case $dr_file in
      *.dump) BACKUP_FORMAT=custom ;;
      *) BACKUP_FORMAT=plain-gzip ;;
    esac
    manifest_counts "$BACKUP_DIR/$dr_file.manifest" >"$BACKUP_WORK/source.counts"
    verify_restore "$BACKUP_DIR/$dr_file" "$BACKUP_WORK/source.counts"
  fi
  drop_work_dir
  dr_end=$(date -u +%s)
  if [ -z "$FAIL_REASON" ]; then
    grep -q '^[0-9]* drill: ' "$BACKUP_DIR/.last-failure" 2>/dev/null && rm -f "$BACKUP_DIR/.last-failure"
    log_line "drill ok name=$BACKUP_NAME file=$dr_file duration=$((dr_end - dr_start))s$RUN_SUMMARY"
    return 0
  fi
  write_marker .last-failure "$dr_end drill: $FAIL_REASON" || log_error "drill: cannot write $BACKUP_DIR/.last-failure"
  log_error "drill FAILED name=$BACKUP_NAME file=$dr_file reason=\"$FAIL_REASON\" duration=$((dr_end - dr_start))s"
  return 1
}

if [ -n "$BACKUP_WAIT_SECONDS" ]; then
  bw_waited=0
  until pg_isready -q; do
    if [ "$bw_waited" -ge "$BACKUP_WAIT_SECONDS" ]; then
      log_error "backup FAILED name=$BACKUP_NAME reason=\"PostgreSQL did not accept connections within $BACKUP_WAIT_SECONDS s\""
      exit 1
    fi
    sleep 1
    bw_waited=$((bw_waited + 1))
  done
fi

wal_dir_setup

if [ "$BACKUP_BASE_NOW" = yes ]; then
  backup_base
  exit $?
fi
if [ "$BACKUP_DRILL_NOW" = yes ]; then
  backup_install_traps
  backup_drill
  exit $?
fi
backup_main
