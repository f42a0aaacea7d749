# shellcheck shell=sh
# backup-lib.sh: functions shared by pg-backup.sh, sqlite-backup.sh, backup-age-check.sh and restore-database.sh.
#
# Sourced, never executed. POSIX sh: runs under dash (debian images) and busybox ash (alpine images).
# Configured only through the environment; never prints a password (no command tracing, no env dumps).
# Written without dollar-brace, percent-brace and double-brace sequences, so that it can be embedded verbatim
# in a Nomad template heredoc (no HCL interpolation, no Go-template actions).
#
# A backup script that sources this file:
#   1. sets BACKUP_NAME (file-name prefix) and BACKUP_EXT (".dump", ".sql.gz", ".sqlite"),
#   2. defines `backup_produce TMPFILE`: writes and checks a backup in TMPFILE, returns non-zero and sets
#      FAIL_REASON on failure, may set RUN_SUMMARY (extra "key=value" text for the run's log line),
#   3. calls `backup_validate_common` and then `backup_main`;
#   4. with BACKUP_DRILL_CRON, defines `backup_drill` (pg-backup.sh: the restore drill), run on that schedule.
#
# Files in BACKUP_DIR (one backup name per directory):
#   <name>-<YYYYmmddTHHMMSSZ><ext>         a good backup; the UTC stamp is the start of the run
#   <name>-<YYYYmmddTHHMMSSZ><ext>.sha256  its checksum ("<hex>  <file>", checkable with `sha256sum -c`)
#   <name>-<YYYYmmddTHHMMSSZ><ext>.manifest  what it holds, when the backup script defines backup_manifest (pg-backup.sh:
#                                          database, server version, size, checksum, per-table row counts)
#   .<name>-<YYYYmmddTHHMMSSZ>.partial     a run in progress (removed on failure and by the next run)
#   .last-success                          "<epoch of the stamp> <file>" of the newest good backup
#   .last-failure                          "<epoch> <reason>" of the newest failed run (removed on success)

BACKUP_STAMP_FORMAT='%Y%m%dT%H%M%SZ'

log_line() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

log_error() {
  log_line "$@" >&2
}

# Per-table exact row counts, "<schema>.<table>|<rows>", for every user table (partitioned parents included).
pg_count_sql() {
  cat <<'SQL'
SELECT pg_catalog.format('SELECT %L, count(*) FROM %I.%I',
                         pg_catalog.format('%I.%I', n.nspname, c.relname), n.nspname, c.relname)
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname <> 'information_schema'
  AND n.nspname !~ '^pg_'
ORDER BY 1
\gexec
SQL
}

# The "schema.table|rows" lines of a manifest's row counts.
manifest_counts() {
  awk '$1 == "rows" { print substr($0, length($1) + length($2) + 3) "|" $2 }' "$1"
}

# Exit code 2 marks a configuration error; it is recorded in .last-failure when the directory is usable.
config_error() {
  log_error "backup CONFIG ERROR: $*"
  if [ -n "$BACKUP_DIR" ] && [ -d "$BACKUP_DIR" ] && [ -w "$BACKUP_DIR" ]; then
    write_marker .last-failure "$(date -u +%s) config: $*"
  fi
  exit 2
}

is_uint() {
  case $1 in
    '' | *[!0-9]*) return 1 ;;
  esac
  return 0
}

# A positive integer of at most 12 digits (keeps shell arithmetic far from overflow).
is_positive_int() {
  is_uint "$1" || return 1
  case $1 in
    0*) return 1 ;;
    ?????????????*) return 1 ;;
  esac
  return 0
}

# Turns an arbitrary database or file name into a safe file-name prefix (no glob characters, no slashes).
sanitize_name() {
  printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_'
}

# Replaces a marker file atomically.
write_marker() {
  printf '%s\n' "$2" >"$BACKUP_DIR/$1.tmp" && mv -f "$BACKUP_DIR/$1.tmp" "$BACKUP_DIR/$1"
}

# days-from-civil (Howard Hinnant), so that stamps convert to epochs without relying on `date -d` parsing.
# Arguments are zero-padded decimal strings: YYYY mm dd HH MM SS. "1$x - 100" avoids octal parsing of "08".
civil_to_epoch() {
  ce_y=$((1$1 - 10000))
  ce_m=$((1$2 - 100))
  ce_d=$((1$3 - 100))
  if [ "$ce_m" -le 2 ]; then
    ce_y=$((ce_y - 1))
    ce_mp=$((ce_m + 9))
  else
    ce_mp=$((ce_m - 3))
  fi
  ce_era=$((ce_y / 400))
  ce_yoe=$((ce_y - ce_era * 400))
  ce_doy=$(((153 * ce_mp + 2) / 5 + ce_d - 1))
  ce_doe=$((ce_yoe * 365 + ce_yoe / 4 - ce_yoe / 100 + ce_doy))
  ce_days=$((ce_era * 146097 + ce_doe - 719468))
  echo $((ce_days * 86400 + (1$4 - 100) * 3600 + (1$5 - 100) * 60 + (1$6 - 100)))
}

# YYYYmmddTHHMMSSZ -> seconds since the epoch; fails on anything else.
stamp_to_epoch() {
  case $1 in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) ;;
    *) return 1 ;;
  esac
  # shellcheck disable=SC2046 # the sed output is six digit groups, split on purpose
  civil_to_epoch $(printf '%s\n' "$1" | sed 's/^\(....\)\(..\)\(..\)T\(..\)\(..\)\(..\)Z$/\1 \2 \3 \4 \5 \6/')
}

# The stamp part of a backup file name: <name>-<stamp><ext> -> <stamp>.
stamp_of_file() {
  basename "$1" | sed -n 's/^.*-\([0-9]\{8\}T[0-9]\{6\}Z\)\..*$/\1/p'
}

# Good backups of one name (every known extension), oldest first, one base name per line.
# An empty name lists the backups of every name (used by the age check).
list_backups() {
  for lb_ext in .dump .sql.gz .sqlite; do
    if [ -n "$2" ]; then
      for lb_file in "$1/$2"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z"$lb_ext"; do
        [ -f "$lb_file" ] && basename "$lb_file"
      done
    else
      for lb_file in "$1"/*-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z"$lb_ext"; do
        # The stamp first, so that the backups of several names still sort by time.
        [ -f "$lb_file" ] && printf '%s %s\n' "$(stamp_of_file "$lb_file")" "$(basename "$lb_file")"
      done
    fi
  done | if [ -n "$2" ]; then LC_ALL=C sort; else LC_ALL=C sort | cut -d' ' -f2-; fi
}

# newest_backup DIR [NAME]: the newest good backup, from .last-success (if its file still exists and has that
# name) or from the newest file name, as "<epoch of its stamp> <file>". Prints nothing when there is none.
newest_backup() {
  nb_best_epoch=""
  nb_best_file=""
  if [ -f "$1/.last-success" ]; then
    read -r nb_epoch nb_file <"$1/.last-success" || true
    if [ -n "$2" ]; then
      case $nb_file in
        "$2"-*) ;;
        *) nb_file="" ;;
      esac
    fi
    if is_uint "$nb_epoch" && [ -n "$nb_file" ] && [ -f "$1/$nb_file" ]; then
      nb_best_epoch=$nb_epoch
      nb_best_file=$nb_file
    fi
  fi
  nb_file=$(list_backups "$1" "$2" | tail -n 1)
  if [ -n "$nb_file" ]; then
    nb_epoch=$(stamp_to_epoch "$(stamp_of_file "$nb_file")")
    if [ -z "$nb_best_epoch" ] || [ "$nb_epoch" -gt "$nb_best_epoch" ]; then
      nb_best_epoch=$nb_epoch
      nb_best_file=$nb_file
    fi
  fi
  if [ -n "$nb_best_epoch" ]; then
    printf '%s %s\n' "$nb_best_epoch" "$nb_best_file"
  fi
}

remove_backup_file() {
  rm -f "$BACKUP_DIR/$1" "$BACKUP_DIR/$1.sha256" "$BACKUP_DIR/$1.manifest"
}

# Retention, applied only after a good backup was published. KEEP is the just-published file: it is never
# deleted, whatever the clock or the settings say.
apply_retention() {
  ar_keep=$1
  ar_now=$(date -u +%s)
  ar_list=$(list_backups "$BACKUP_DIR" "$BACKUP_NAME")
  ar_count=$(printf '%s\n' "$ar_list" | grep -c .)
  ar_delete=0
  if [ -n "$BACKUP_KEEP_LAST" ] && [ "$ar_count" -gt "$BACKUP_KEEP_LAST" ]; then
    ar_delete=$((ar_count - BACKUP_KEEP_LAST))
  fi
  ar_index=0
  ar_removed=0
  # shellcheck disable=SC2086 # one validated file name per line: no blanks, no glob characters
  for ar_file in $ar_list; do
    ar_index=$((ar_index + 1))
    [ "$ar_file" = "$ar_keep" ] && continue
    if [ "$ar_index" -le "$ar_delete" ]; then
      remove_backup_file "$ar_file"
      ar_removed=$((ar_removed + 1))
      continue
    fi
    if [ -n "$BACKUP_MAX_AGE_SECONDS" ]; then
      ar_epoch=$(stamp_to_epoch "$(stamp_of_file "$ar_file")")
      if [ $((ar_now - ar_epoch)) -gt "$BACKUP_MAX_AGE_SECONDS" ]; then
        remove_backup_file "$ar_file"
        ar_removed=$((ar_removed + 1))
      fi
    fi
  done
  RETENTION_REMOVED=$ar_removed
}

# ---------------------------------------------------------------------------------------------------------
# Cron matching: 5 fields (minute hour day-of-month month day-of-week), each "*", "?" (day fields only),
# a number, a name (jan-dec, sun-sat), a range "a-b", a step "*/n", "a-b/n" or "a/n" (= a-max/n), or a comma
# list of those. Day-of-week 0 and 7 are Sunday. As in Vixie cron, when both day fields are restricted
# (neither starts with "*" or "?") a day matches if EITHER matches; otherwise both must match.
# Macros: @yearly @annually @monthly @weekly @daily @midnight @hourly.
# ---------------------------------------------------------------------------------------------------------

# cron_value TOKEN KIND: sets CRON_VALUE to the number for a number (up to 6 digits) or, for KIND month or dow,
# a three-letter name; returns 1 for anything else. No subshell: the matcher runs many of these per minute.
cron_value() {
  case $1 in
    [0-9]) CRON_VALUE=$1; return 0 ;;
    [0-9][0-9]) CRON_VALUE=$((1$1 - 100)); return 0 ;;
    # Longer zero-padded numbers ("005"): drop the zeros so that the shell does not read them as octal.
    [0-9][0-9][0-9] | [0-9][0-9][0-9][0-9] | [0-9][0-9][0-9][0-9][0-9] | [0-9][0-9][0-9][0-9][0-9][0-9])
      CRON_VALUE=$(printf '%s\n' "$1" | sed 's/^0*\([0-9]\)/\1/')
      return 0
      ;;
  esac
  if [ "$2" = month ]; then
    case $1 in
      [Jj][Aa][Nn]) CRON_VALUE=1 ;; [Ff][Ee][Bb]) CRON_VALUE=2 ;; [Mm][Aa][Rr]) CRON_VALUE=3 ;;
      [Aa][Pp][Rr]) CRON_VALUE=4 ;; [Mm][Aa][Yy]) CRON_VALUE=5 ;; [Jj][Uu][Nn]) CRON_VALUE=6 ;;
      [Jj][Uu][Ll]) CRON_VALUE=7 ;; [Aa][Uu][Gg]) CRON_VALUE=8 ;; [Ss][Ee][Pp]) CRON_VALUE=9 ;;
      [Oo][Cc][Tt]) CRON_VALUE=10 ;; [Nn][Oo][Vv]) CRON_VALUE=11 ;; [Dd][Ee][Cc]) CRON_VALUE=12 ;;
      *) return 1 ;;
    esac
    return 0
  fi
  if [ "$2" = dow ]; then
    case $1 in
      [Ss][Uu][Nn]) CRON_VALUE=0 ;; [Mm][Oo][Nn]) CRON_VALUE=1 ;; [Tt][Uu][Ee]) CRON_VALUE=2 ;;
      [Ww][Ee][Dd]) CRON_VALUE=3 ;; [Tt][Hh][Uu]) CRON_VALUE=4 ;; [Ff][Rr][Ii]) CRON_VALUE=5 ;;
      [Ss][Aa][Tt]) CRON_VALUE=6 ;;
      *) return 1 ;;
    esac
    return 0
  fi
  return 1
}

# cron_field_matches FIELD KIND MIN MAX VALUE [ALT_VALUE] -> 0 matches, 1 does not match, 2 invalid field.
# Every element is parsed even after a match, so an invalid element is always reported.
cron_field_matches() {
  cf_field=$1 cf_kind=$2 cf_min=$3 cf_max=$4 cf_value=$5 cf_alt=$6
  case $cf_field in
    '' | ,* | *, | *,,*) return 2 ;;
  esac
  cf_result=1
  set -f
  cf_ifs=$IFS
  IFS=,
  # shellcheck disable=SC2086 # split the list on commas (globbing is off)
  set -- $cf_field
  IFS=$cf_ifs
  set +f
  for cf_element in "$@"; do
    cf_step=""
    IFS=/ read -r cf_range cf_step <<EOF
$cf_element
EOF
    case $cf_element in
      */) return 2 ;;
    esac
    if [ -n "$cf_step" ]; then
      case $cf_step in
        [1-9] | [0-9][1-9] | [1-9][0-9]) cron_value "$cf_step" number && cf_step=$CRON_VALUE ;;
        *) return 2 ;;
      esac
    else
      cf_step=1
    fi
    case $cf_range in
      '*' | '?')
        if [ "$cf_range" = '?' ] && [ "$cf_kind" != dom ] && [ "$cf_kind" != dow ]; then
          return 2
        fi
        cf_lo=$cf_min
        cf_hi=$cf_max
        ;;
      *-*)
        IFS=- read -r cf_a cf_b <<EOF
$cf_range
EOF
        cron_value "$cf_a" "$cf_kind" || return 2
        cf_lo=$CRON_VALUE
        cron_value "$cf_b" "$cf_kind" || return 2
        cf_hi=$CRON_VALUE
        ;;
      *)
        cron_value "$cf_range" "$cf_kind" || return 2
        cf_lo=$CRON_VALUE
        if [ "$cf_element" != "$cf_range" ]; then
          cf_hi=$cf_max
        else
          cf_hi=$cf_lo
        fi
        ;;
    esac
    if [ "$cf_lo" -lt "$cf_min" ] || [ "$cf_hi" -gt "$cf_max" ] || [ "$cf_lo" -gt "$cf_hi" ]; then
      return 2
    fi
    for cf_v in $cf_value $cf_alt; do
      if [ "$cf_v" -ge "$cf_lo" ] && [ "$cf_v" -le "$cf_hi" ] && [ $(((cf_v - cf_lo) % cf_step)) -eq 0 ]; then
        cf_result=0
      fi
    done
  done
  return $cf_result
}

# cron_matches EXPR YYYY mm dd HH MM DOW -> 0 matches, 1 does not match, 2 invalid expression.
# DOW is 0-6 with 0 = Sunday, as printed by `date +%w`.
cron_matches() {
  cm_expr=$1
  cron_value "$3" number || return 2
  cm_month_value=$CRON_VALUE
  cron_value "$4" number || return 2
  cm_dom_value=$CRON_VALUE
  cron_value "$5" number || return 2
  cm_hour_value=$CRON_VALUE
  cron_value "$6" number || return 2
  cm_minute_value=$CRON_VALUE
  cron_value "$7" number || return 2
  cm_dow_value=$CRON_VALUE
  case $cm_expr in
    @yearly | @annually) cm_expr='0 0 1 1 *' ;;
    @monthly) cm_expr='0 0 1 * *' ;;
    @weekly) cm_expr='0 0 * * 0' ;;
    @daily | @midnight) cm_expr='0 0 * * *' ;;
    @hourly) cm_expr='0 * * * *' ;;
  esac
  set -f
  # shellcheck disable=SC2086 # split the expression on blanks (globbing is off)
  set -- $cm_expr
  set +f
  [ $# -eq 5 ] || return 2
  cron_field_matches "$1" minute 0 59 "$cm_minute_value"
  cm_minute=$?
  cron_field_matches "$2" hour 0 23 "$cm_hour_value"
  cm_hour=$?
  cron_field_matches "$3" dom 1 31 "$cm_dom_value"
  cm_dom=$?
  cron_field_matches "$4" month 1 12 "$cm_month_value"
  cm_month=$?
  cm_dow_alt=""
  [ "$cm_dow_value" -eq 0 ] && cm_dow_alt=7
  cron_field_matches "$5" dow 0 7 "$cm_dow_value" $cm_dow_alt
  cm_dow=$?
  for cm_r in $cm_minute $cm_hour $cm_dom $cm_month $cm_dow; do
    [ "$cm_r" -eq 2 ] && return 2
  done
  [ "$cm_minute" -eq 0 ] && [ "$cm_hour" -eq 0 ] && [ "$cm_month" -eq 0 ] || return 1
  case "$3:$5" in
    [*?]*:* | *:[*?]*) [ "$cm_dom" -eq 0 ] && [ "$cm_dow" -eq 0 ] ;;
    *) [ "$cm_dom" -eq 0 ] || [ "$cm_dow" -eq 0 ] ;;
  esac
}

# "YYYY mm dd HH MM DOW" of now, in the local time zone (TZ).
cron_fields_now() {
  date '+%Y %m %d %H %M %w'
}

# The same for a given epoch (GNU and busybox date both read "@<epoch>").
cron_fields_at() {
  date -d "@$1" '+%Y %m %d %H %M %w'
}

# base_due EPOCH: true when BACKUP_BASE_CRON (if set) matches that minute in TZ.
base_due() {
  [ -n "$BACKUP_BASE_CRON" ] || return 1
  # shellcheck disable=SC2046 # six numeric words
  cron_matches "$BACKUP_BASE_CRON" $(cron_fields_at "$1")
}

# drill_due EPOCH: true when BACKUP_DRILL_CRON (if set) matches that minute in BACKUP_DRILL_TZ (default TZ).
drill_due() {
  [ -n "$BACKUP_DRILL_CRON" ] || return 1
  [ -n "$BACKUP_DRILL_TZ" ] || BACKUP_DRILL_TZ=$TZ
  # shellcheck disable=SC2046 # six numeric words
  cron_matches "$BACKUP_DRILL_CRON" $(TZ=$BACKUP_DRILL_TZ date -d "@$1" '+%Y %m %d %H %M %w')
}

# ---------------------------------------------------------------------------------------------------------
# Runs and schedule
# ---------------------------------------------------------------------------------------------------------

BACKUP_TMP=""
BACKUP_WORK=""
BACKUP_SLEEP_PID=""

backup_cleanup() {
  if [ -n "$BACKUP_TMP" ]; then
    rm -f "$BACKUP_TMP" "$BACKUP_TMP.sha256" "$BACKUP_TMP.manifest"
  fi
  if [ -n "$BACKUP_WORK" ]; then
    rm -rf "$BACKUP_WORK"
  fi
  if [ -n "$BACKUP_SLEEP_PID" ]; then
    kill "$BACKUP_SLEEP_PID" 2>/dev/null
  fi
}

backup_on_signal() {
  backup_cleanup
  log_error "backup: stopped by signal $1"
  exit $((128 + $2))
}

backup_install_traps() {
  trap 'backup_on_signal TERM 15' TERM
  trap 'backup_on_signal INT 2' INT
  trap 'backup_on_signal HUP 1' HUP
  trap 'backup_cleanup' EXIT
}

# Interruptible sleep: a trapped signal ends `wait` at once, while a foreground `sleep` would delay it.
backup_sleep() {
  sleep "$1" &
  BACKUP_SLEEP_PID=$!
  wait "$BACKUP_SLEEP_PID"
  BACKUP_SLEEP_PID=""
}

backup_validate_common() {
  [ -n "$BACKUP_DIR" ] || config_error "BACKUP_DIR is not set"
  [ -d "$BACKUP_DIR" ] || config_error "BACKUP_DIR $BACKUP_DIR is not a directory (is the volume mounted?)"
  [ -w "$BACKUP_DIR" ] || config_error "BACKUP_DIR $BACKUP_DIR is not writable"
  case $BACKUP_NAME in
    '' | *[!A-Za-z0-9._-]* | .*) config_error "BACKUP_NAME '$BACKUP_NAME' must match [A-Za-z0-9_-][A-Za-z0-9._-]*" ;;
  esac
  if [ -n "$BACKUP_KEEP_LAST" ] && ! is_positive_int "$BACKUP_KEEP_LAST"; then
    config_error "BACKUP_KEEP_LAST must be an integer >= 1, got '$BACKUP_KEEP_LAST'"
  fi
  if [ -n "$BACKUP_MAX_AGE_SECONDS" ] && ! is_positive_int "$BACKUP_MAX_AGE_SECONDS"; then
    config_error "BACKUP_MAX_AGE_SECONDS must be an integer >= 1, got '$BACKUP_MAX_AGE_SECONDS'"
  fi
  [ -n "$BACKUP_MODE" ] || BACKUP_MODE=once
  if [ "$BACKUP_MODE" = loop ]; then
    if [ -n "$BACKUP_CRON" ] && [ -n "$BACKUP_INTERVAL_SECONDS" ]; then
      config_error "set BACKUP_CRON or BACKUP_INTERVAL_SECONDS, not both"
    fi
    if [ -n "$BACKUP_CRON" ]; then
      cron_matches "$BACKUP_CRON" 2000 01 01 00 00 6
      [ $? -eq 2 ] && config_error "BACKUP_CRON '$BACKUP_CRON' is not a valid 5-field cron expression"
    elif [ -n "$BACKUP_INTERVAL_SECONDS" ]; then
      is_positive_int "$BACKUP_INTERVAL_SECONDS" ||
        config_error "BACKUP_INTERVAL_SECONDS must be an integer >= 1, got '$BACKUP_INTERVAL_SECONDS'"
    else
      config_error "BACKUP_MODE=loop needs BACKUP_CRON or BACKUP_INTERVAL_SECONDS"
    fi
    if [ -n "$BACKUP_RETRY_SECONDS" ] && ! is_positive_int "$BACKUP_RETRY_SECONDS"; then
      config_error "BACKUP_RETRY_SECONDS must be an integer >= 1, got '$BACKUP_RETRY_SECONDS'"
    fi
    if [ -n "$BACKUP_STALE_AFTER_SECONDS" ] && ! is_positive_int "$BACKUP_STALE_AFTER_SECONDS"; then
      config_error "BACKUP_STALE_AFTER_SECONDS must be an integer >= 1, got '$BACKUP_STALE_AFTER_SECONDS'"
    fi
    if [ -n "$BACKUP_LOOP_ITERATIONS" ] && ! is_positive_int "$BACKUP_LOOP_ITERATIONS"; then
      config_error "BACKUP_LOOP_ITERATIONS must be an integer >= 1, got '$BACKUP_LOOP_ITERATIONS'"
    fi
    # glibc and musl silently fall back to UTC for an unknown zone; say so instead of drifting by hours.
    case $TZ in
      '' | :* | *[0-9]*) ;;
      *)
        [ -e "/usr/share/zoneinfo/$TZ" ] ||
          log_error "backup WARNING: TZ=$TZ is not in /usr/share/zoneinfo; the schedule is evaluated in UTC"
        ;;
    esac
  fi
}

backup_fail() {
  bf_end=$(date -u +%s)
  rm -f "$BACKUP_TMP" "$BACKUP_TMP.sha256" "$BACKUP_TMP.manifest"
  BACKUP_TMP=""
  if [ -n "$BACKUP_WORK" ]; then
    rm -rf "$BACKUP_WORK"
    BACKUP_WORK=""
  fi
  write_marker .last-failure "$bf_end $FAIL_REASON" ||
    log_error "backup: cannot write $BACKUP_DIR/.last-failure"
  log_error "backup FAILED name=$BACKUP_NAME reason=\"$FAIL_REASON\" duration=$((bf_end - BACKUP_RUN_START))s"
  return 1
}

# One backup run: produce into a temporary name, checksum, fsync, rename, then retention and markers.
backup_run() {
  # Two runs in one second (a manual run next to the schedule) would share a name: the later one waits.
  br_tries=0
  while :; do
    # shellcheck disable=SC2046 # two words: epoch and stamp of the same instant
    set -- $(date -u "+%s $BACKUP_STAMP_FORMAT")
    BACKUP_RUN_START=$1
    br_stamp=$2
    br_final="$BACKUP_NAME-$br_stamp$BACKUP_EXT"
    br_tries=$((br_tries + 1))
    if [ ! -e "$BACKUP_DIR/$br_final" ] || [ "$br_tries" -gt 3 ]; then
      break
    fi
    sleep 1
  done
  FAIL_REASON=""
  RUN_SUMMARY=""
  # A partial file can only be left by a run that was killed; there is one backup process per directory.
  rm -f "$BACKUP_DIR/.$BACKUP_NAME"-*.partial "$BACKUP_DIR/.$BACKUP_NAME"-*.partial.sha256 "$BACKUP_DIR/.$BACKUP_NAME"-*.partial.manifest
  BACKUP_TMP="$BACKUP_DIR/.$BACKUP_NAME-$br_stamp.partial"
  if [ -e "$BACKUP_DIR/$br_final" ]; then
    FAIL_REASON="$br_final already exists"
    backup_fail
    return 1
  fi
  if ! backup_produce "$BACKUP_TMP"; then
    [ -n "$FAIL_REASON" ] || FAIL_REASON="backup command failed"
    backup_fail
    return 1
  fi
  if [ ! -s "$BACKUP_TMP" ]; then
    FAIL_REASON="backup file is empty"
    backup_fail
    return 1
  fi
  # shellcheck disable=SC2046 # "<hex> -": keep the hex word only
  set -- $(sha256sum <"$BACKUP_TMP")
  if [ -z "$1" ] || ! printf '%s  %s\n' "$1" "$br_final" >"$BACKUP_TMP.sha256"; then
    FAIL_REASON="cannot compute or write the checksum"
    backup_fail
    return 1
  fi
  br_sha256=$1
  br_size=$(($(wc -c <"$BACKUP_TMP")))
  # The backup script's manifest (optional): written to <tmp>.manifest, renamed with the backup.
  if type backup_manifest >/dev/null 2>&1 && ! backup_manifest "$BACKUP_TMP.manifest" "$br_final" "$br_sha256" "$br_size" "$br_stamp"; then
    [ -n "$FAIL_REASON" ] || FAIL_REASON="cannot write the manifest"
    backup_fail
    return 1
  fi
  sync
  if ! mv -f "$BACKUP_TMP" "$BACKUP_DIR/$br_final"; then
    FAIL_REASON="cannot rename the backup into place"
    backup_fail
    return 1
  fi
  mv -f "$BACKUP_TMP.sha256" "$BACKUP_DIR/$br_final.sha256"
  [ ! -f "$BACKUP_TMP.manifest" ] || mv -f "$BACKUP_TMP.manifest" "$BACKUP_DIR/$br_final.manifest"
  BACKUP_TMP=""
  sync
  RETENTION_REMOVED=0
  apply_retention "$br_final"
  write_marker .last-success "$(stamp_to_epoch "$br_stamp") $br_final" ||
    log_error "backup: cannot write $BACKUP_DIR/.last-success"
  rm -f "$BACKUP_DIR/.last-failure"
  br_end=$(date -u +%s)
  log_line "backup ok name=$BACKUP_NAME file=$br_final size=$br_size bytes duration=$((br_end - BACKUP_RUN_START))s" \
    "removed=$RETENTION_REMOVED$RUN_SUMMARY"
  return 0
}

# Interval schedule: due when the newest good backup is older than the interval (so a restart does not reset
# the schedule), but not sooner than BACKUP_RETRY_SECONDS (default min(300, interval)) after a failed run.
interval_due() {
  id_now=$(date -u +%s)
  id_retry=$BACKUP_RETRY_SECONDS
  if [ -z "$id_retry" ]; then
    id_retry=300
    [ "$BACKUP_INTERVAL_SECONDS" -lt 300 ] && id_retry=$BACKUP_INTERVAL_SECONDS
  fi
  if [ -f "$BACKUP_DIR/.last-failure" ]; then
    read -r id_failed _ <"$BACKUP_DIR/.last-failure" || true
    if is_uint "$id_failed" && [ $((id_now - id_failed)) -lt "$id_retry" ]; then
      return 1
    fi
  fi
  id_newest=$(newest_backup "$BACKUP_DIR" "$BACKUP_NAME")
  [ -n "$id_newest" ] || return 0
  set -f
  # shellcheck disable=SC2086 # "<epoch> <file>"
  set -- $id_newest
  set +f
  [ $((id_now - $1)) -ge "$BACKUP_INTERVAL_SECONDS" ]
}

# Loop mode with BACKUP_STALE_AFTER_SECONDS: fails when the newest good backup (or, if there is none or it is
# older, the start of this loop) is that old. Nomad's own service checks cannot run scripts, so the sidecar
# exiting non-zero is what makes stale backups visible there.
backup_stale() {
  bs_now=$(date -u +%s)
  bs_newest=$(newest_backup "$BACKUP_DIR" "$BACKUP_NAME")
  bs_reference=$1
  bs_file=none
  if [ -n "$bs_newest" ]; then
    set -f
    # shellcheck disable=SC2086 # "<epoch> <file>"
    set -- "$1" $bs_newest
    set +f
    bs_file=$3
    [ "$2" -gt "$bs_reference" ] && bs_reference=$2
  fi
  if [ $((bs_now - bs_reference)) -ge "$BACKUP_STALE_AFTER_SECONDS" ]; then
    log_error "backup STALE name=$BACKUP_NAME newest=$bs_file age=$((bs_now - bs_reference))s" \
      "limit_seconds=$BACKUP_STALE_AFTER_SECONDS; exiting so that the failure is visible"
    return 0
  fi
  return 1
}

backup_loop() {
  bl_started=$(date -u +%s)
  bl_iterations=0
  bl_last_minute=""
  bl_drill_minute=""
  if [ -n "$BACKUP_CRON" ]; then
    log_line "backup scheduler started name=$BACKUP_NAME cron=\"$BACKUP_CRON\" tz=$TZ"
  else
    log_line "backup scheduler started name=$BACKUP_NAME interval_seconds=$BACKUP_INTERVAL_SECONDS"
  fi
  while :; do
    # The drill's minute is taken before a backup run, which may outlast it; each minute is evaluated once.
    bl_tick=$(($(date -u +%s) / 60 * 60))
    bl_drill=no
    bl_base=no
    [ "$bl_tick" != "$bl_drill_minute" ] && drill_due "$bl_tick" && bl_drill=yes
    [ "$bl_tick" != "$bl_drill_minute" ] && base_due "$bl_tick" && bl_base=yes
    bl_drill_minute=$bl_tick
    if [ -n "$BACKUP_CRON" ]; then
      # shellcheck disable=SC2046 # six numeric words
      set -- $(cron_fields_now)
      # Each minute is evaluated once, even if the sleep wakes up early.
      if [ "$1$2$3$4$5" != "$bl_last_minute" ]; then
        bl_last_minute="$1$2$3$4$5"
        if cron_matches "$BACKUP_CRON" "$@"; then
          backup_run
        fi
      fi
    elif interval_due; then
      backup_run
    fi
    [ "$bl_drill" = no ] || backup_drill
    if [ "$bl_base" = yes ]; then
      backup_base
    fi
    # Every BACKUP_ARCHIVE_CHECK_MINUTES (default 5): is WAL archiving failing? (pg-backup.sh with BACKUP_BASE_CRON)
    if [ -n "$BACKUP_BASE_CRON" ] && [ $((bl_tick / 60 % BACKUP_ARCHIVE_CHECK_MINUTES)) -eq 0 ]; then
      archive_check
    fi
    if [ -n "$BACKUP_STALE_AFTER_SECONDS" ] && backup_stale "$bl_started"; then
      exit 1
    fi
    bl_iterations=$((bl_iterations + 1))
    if [ -n "$BACKUP_LOOP_ITERATIONS" ] && [ "$bl_iterations" -ge "$BACKUP_LOOP_ITERATIONS" ]; then
      return 0
    fi
    bl_second=$(date +%S)
    backup_sleep $((60 - (1$bl_second - 100)))
  done
}

# BACKUP_MODE=once: one run, exit status = result (periodic batch job). loop: long-running sidecar that never
# exits on a failed run (the failure is in the log, .last-failure and the age check).
backup_main() {
  backup_install_traps
  case $BACKUP_MODE in
    once)
      # A periodic job launched by its drill cron (and not also by its backup cron) runs the drill only.
      bm_launch=$(printf '%s\n' "$NOMAD_JOB_ID" | sed -n 's|.*/periodic-\([0-9][0-9]*\)$|\1|p')
      if [ -n "$bm_launch" ] && drill_due "$bm_launch"; then
        bm_rc=0
        # shellcheck disable=SC2046 # six numeric words
        if cron_matches "$BACKUP_CRON" $(cron_fields_at "$bm_launch"); then
          backup_run || bm_rc=1
        fi
        backup_drill || bm_rc=1
        exit $bm_rc
      fi
      backup_run
      exit $?
      ;;
    loop)
      backup_loop
      exit 0
      ;;
    *) config_error "BACKUP_MODE must be once or loop, got '$BACKUP_MODE'" ;;
  esac
}
