#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# offsite.sh: encrypted copies of the backup volume (dumps, manifests, base backups, WAL) in a restic repository off
# the host, with tiered retention and a repository check now and then; and the way back (fetch). POSIX sh (busybox
# ash in the restic image); restic. Configured only through the environment; exit codes: 0 ok, 1 failed, 2 config.
#
# RESTIC_REPOSITORY, RESTIC_PASSWORD   the repository and its password (restic reads them; never logged), plus the
#                      storage's own variables (AWS_ACCESS_KEY_ID, B2_ACCOUNT_KEY, ...)
# BACKUP_DIR           the backup volume (copied whole, without temporary files)
# BACKUP_LIB           path of backup-lib.sh (default: next to this script)
# OFFSITE_MODE         loop (default): copy whenever OFFSITE_CRON matches (in TZ), failures logged and marked
#                      once: one copy, exit status = result (a periodic job's poststop task)
#                      fetch: restore the newest copy of OFFSITE_HOST into OFFSITE_FETCH_DIR (a restore job)
# OFFSITE_CRON         5-field cron of the copies
# OFFSITE_HOST         the snapshots' host name (the job): retention and fetch only ever touch this job's snapshots
# OFFSITE_KEEP_DAILY, OFFSITE_KEEP_WEEKLY, OFFSITE_KEEP_MONTHLY   restic forget --keep-* (then --prune)
# OFFSITE_CHECK_DAYS   run `restic check` after a copy when the last check is older (default 7)
# OFFSITE_TIME         the snapshot's time instead of now (restic backup --time; tests, back-fills)
# OFFSITE_FETCH_DIR    fetch: where the copy goes (it holds BACKUP_DIR's path below it, e.g. DIR/backups)
# OFFSITE_LOOP_ITERATIONS   loop mode: stop after N minute ticks (tests)
#
# Log: "offsite ok snapshot=... kept=N checked=yes|no" or "offsite FAILED reason=..." (stderr, and .last-failure
# "offsite: ..." in BACKUP_DIR, which the heartbeat reports).

[ -n "$BACKUP_LIB" ] || BACKUP_LIB="$(dirname "$0")/backup-lib.sh"
if [ ! -r "$BACKUP_LIB" ]; then
  echo "offsite: cannot read $BACKUP_LIB (set BACKUP_LIB)" >&2
  exit 2
fi
# shellcheck source=backup-lib.sh
. "$BACKUP_LIB"

os_config() {
  log_error "offsite CONFIG ERROR: $*"
  exit 2
}

[ -n "$RESTIC_REPOSITORY" ] || os_config "RESTIC_REPOSITORY is not set"
[ -n "$RESTIC_PASSWORD" ] || os_config "RESTIC_PASSWORD is not set"
[ -n "$OFFSITE_HOST" ] || os_config "OFFSITE_HOST is not set"
case $OFFSITE_HOST in
  *[!A-Za-z0-9._-]*) os_config "OFFSITE_HOST must be letters, digits, '.', '_' and '-'" ;;
esac
[ -n "$OFFSITE_MODE" ] || OFFSITE_MODE=loop
[ -n "$OFFSITE_CHECK_DAYS" ] || OFFSITE_CHECK_DAYS=7
is_positive_int "$OFFSITE_CHECK_DAYS" || os_config "OFFSITE_CHECK_DAYS must be an integer >= 1"
for os_keep in "$OFFSITE_KEEP_DAILY" "$OFFSITE_KEEP_WEEKLY" "$OFFSITE_KEEP_MONTHLY"; do
  is_uint "$os_keep" || [ "$OFFSITE_MODE" = fetch ] || os_config "OFFSITE_KEEP_DAILY, _WEEKLY and _MONTHLY must be numbers"
done

OS_ERR=$(mktemp) || os_config "cannot create a temporary file"
trap 'rm -f "$OS_ERR"' EXIT

# The last line restic wrote to stderr, without anything that looks like the repository (it may carry a user name).
os_reason() {
  tail -n 1 "$OS_ERR" | sed "s|$(printf '%s' "$RESTIC_REPOSITORY" | sed 's/[][\\.*^$|]/\\&/g')|<repository>|g"
}

os_fail() {
  if [ -d "$BACKUP_DIR" ] && [ -w "$BACKUP_DIR" ] && [ "$OFFSITE_MODE" != fetch ]; then
    write_marker .last-failure "$(date -u +%s) offsite: $*" || log_error "offsite: cannot write $BACKUP_DIR/.last-failure"
  fi
  log_error "offsite FAILED host=$OFFSITE_HOST reason=\"$*\""
  return 1
}

if [ "$OFFSITE_MODE" = fetch ]; then
  [ -n "$OFFSITE_FETCH_DIR" ] || os_config "OFFSITE_FETCH_DIR is not set"
  mkdir -p "$OFFSITE_FETCH_DIR" || os_config "cannot create $OFFSITE_FETCH_DIR"
  if ! restic restore latest --host "$OFFSITE_HOST" --tag nomad-db --target "$OFFSITE_FETCH_DIR" >/dev/null 2>"$OS_ERR"; then
    os_fail "restic restore failed: $(os_reason)"
    exit 1
  fi
  log_line "offsite fetched host=$OFFSITE_HOST into=$OFFSITE_FETCH_DIR files=$(find "$OFFSITE_FETCH_DIR" -type f | grep -c .)"
  exit 0
fi

if [ -z "$BACKUP_DIR" ] || [ ! -d "$BACKUP_DIR" ]; then
  os_config "BACKUP_DIR is not a directory (is the volume mounted?)"
fi

offsite_run() {
  or_start=$(date -u +%s)
  # A repository that does not exist yet is created; any other failure to read it is a failure.
  if ! restic cat config >/dev/null 2>"$OS_ERR"; then
    if grep -q -i -e 'does not exist' -e 'is there a repository' -e 'unable to open config' "$OS_ERR" &&
      restic init >/dev/null 2>"$OS_ERR"; then
      log_line "offsite repository initialised host=$OFFSITE_HOST"
    else
      os_fail "cannot open the repository: $(os_reason)"
      return 1
    fi
  fi
  set -- --host "$OFFSITE_HOST" --tag nomad-db --exclude '.*.partial' --exclude '.*.tmp' --exclude '.*.partial.*'
  [ -z "$OFFSITE_TIME" ] || set -- "$@" --time "$OFFSITE_TIME"
  if ! or_out=$(restic backup "$@" "$BACKUP_DIR" 2>"$OS_ERR"); then
    os_fail "restic backup failed: $(os_reason)"
    return 1
  fi
  or_snapshot=$(printf '%s\n' "$or_out" | sed -n 's/^snapshot \([0-9a-f]*\) saved.*/\1/p' | tail -n 1)
  if ! restic forget --host "$OFFSITE_HOST" --tag nomad-db --keep-daily "$OFFSITE_KEEP_DAILY" --keep-weekly "$OFFSITE_KEEP_WEEKLY" \
    --keep-monthly "$OFFSITE_KEEP_MONTHLY" --prune >/dev/null 2>"$OS_ERR"; then
    os_fail "restic forget failed: $(os_reason)"
    return 1
  fi
  or_checked=no
  or_last_check=0
  [ -f "$BACKUP_DIR/.offsite-checked" ] && read -r or_last_check _ <"$BACKUP_DIR/.offsite-checked"
  is_uint "$or_last_check" || or_last_check=0
  if [ $((or_start - or_last_check)) -ge $((OFFSITE_CHECK_DAYS * 86400)) ]; then
    if ! restic check >/dev/null 2>"$OS_ERR"; then
      os_fail "restic check found a problem: $(os_reason)"
      return 1
    fi
    or_checked=yes
    write_marker .offsite-checked "$or_start" || log_error "offsite: cannot write $BACKUP_DIR/.offsite-checked"
  fi
  or_kept=$(restic snapshots --host "$OFFSITE_HOST" --tag nomad-db --json 2>/dev/null | grep -o '"short_id"' | grep -c .)
  grep -q '^[0-9]* offsite: ' "$BACKUP_DIR/.last-failure" 2>/dev/null && rm -f "$BACKUP_DIR/.last-failure"
  log_line "offsite ok host=$OFFSITE_HOST snapshot=$or_snapshot kept=$or_kept checked=$or_checked duration=$(($(date -u +%s) - or_start))s"
  return 0
}

case $OFFSITE_MODE in
  once)
    offsite_run
    exit $?
    ;;
  loop) ;;
  *) os_config "OFFSITE_MODE must be loop, once or fetch, got '$OFFSITE_MODE'" ;;
esac

[ -n "$OFFSITE_CRON" ] || os_config "OFFSITE_CRON is not set (loop mode)"
cron_matches "$OFFSITE_CRON" 2000 01 01 00 00 6
[ $? -eq 2 ] && os_config "OFFSITE_CRON '$OFFSITE_CRON' is not a valid 5-field cron expression"
log_line "offsite scheduler started host=$OFFSITE_HOST cron=\"$OFFSITE_CRON\" tz=$TZ"
os_minute=""
os_round=0
while :; do
  # shellcheck disable=SC2046 # six numeric words
  set -- $(cron_fields_now)
  if [ "$1$2$3$4$5" != "$os_minute" ]; then
    os_minute="$1$2$3$4$5"
    if cron_matches "$OFFSITE_CRON" "$@"; then
      offsite_run || true
    fi
  fi
  os_round=$((os_round + 1))
  if [ -n "$OFFSITE_LOOP_ITERATIONS" ] && [ "$os_round" -ge "$OFFSITE_LOOP_ITERATIONS" ]; then
    exit 0
  fi
  sleep $((60 - (1$(date +%S) - 100)))
done
