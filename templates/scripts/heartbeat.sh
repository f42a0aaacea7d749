#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# heartbeat.sh: tells a dead-man's switch off the cluster about every backup result, so that failing backups, backups
# that stop, and a node or cluster that is gone are all noticed: healthchecks.io's convention (and compatible
# services): a request to the URL after a good backup, to URL/fail after a failed backup or restore drill, each with
# a one-line log as the body. POSIX sh (busybox ash); needs curl (the curlimages/curl image).
# Configured only through the environment; exit codes: 0 ok, 1 a ping failed (once mode), 2 configuration error.
#
# HEARTBEAT_URL        the check's ping URL: a secret (it lets anyone report to the check); never logged, never on a
#                      command line (curl reads it from stdin)
# BACKUP_LIB           path of backup-lib.sh (default: next to this script)
# BACKUP_DIR           the backup volume (read only is enough): its markers say what happened, as the backup scripts
#                      write them: .last-success "<epoch> <file>", .last-failure "<epoch> <reason>"
# HEARTBEAT_MODE       loop (default): every HEARTBEAT_POLL_SECONDS (default 60), ping each result not pinged yet
#                      once: ping the newest result since HEARTBEAT_SINCE (epoch; default: the launch time in
#                      NOMAD_JOB_ID "<job>/periodic-<epoch>"), or a failure when there is none (a periodic job's
#                      poststop task: the backup task ended without a result)
# HEARTBEAT_STATE      loop mode: file holding "<success epoch> <failure epoch>" last pinged, so that a restarted task
#                      does not report a result twice (default: /alloc/data/heartbeat.state, kept across restarts)
# HEARTBEAT_LOOP_ITERATIONS  loop mode: stop after N looks (tests)
#
# Log: "heartbeat sent result=ok|fail epoch=..." or "heartbeat FAILED result=... reason=..." (stderr).

[ -n "$BACKUP_LIB" ] || BACKUP_LIB="$(dirname "$0")/backup-lib.sh"
if [ ! -r "$BACKUP_LIB" ]; then
  echo "heartbeat: cannot read $BACKUP_LIB (set BACKUP_LIB)" >&2
  exit 2
fi
# shellcheck source=backup-lib.sh
. "$BACKUP_LIB"

hb_config() {
  log_error "heartbeat CONFIG ERROR: $*"
  exit 2
}

[ -n "$HEARTBEAT_URL" ] || hb_config "HEARTBEAT_URL is not set"
case $HEARTBEAT_URL in
  http://* | https://*) ;;
  *) hb_config "HEARTBEAT_URL is not an http(s) URL" ;;
esac
if [ -z "$BACKUP_DIR" ] || [ ! -d "$BACKUP_DIR" ]; then
  hb_config "BACKUP_DIR is not a directory (is the volume mounted?)"
fi
[ -n "$HEARTBEAT_MODE" ] || HEARTBEAT_MODE=loop
[ -n "$HEARTBEAT_POLL_SECONDS" ] || HEARTBEAT_POLL_SECONDS=60
is_positive_int "$HEARTBEAT_POLL_SECONDS" || hb_config "HEARTBEAT_POLL_SECONDS must be an integer >= 1"
[ -n "$HEARTBEAT_STATE" ] || HEARTBEAT_STATE=/alloc/data/heartbeat.state

# marker_epoch FILE: the epoch on the marker's first line, or 0.
marker_epoch() {
  me_epoch=0
  # shellcheck disable=SC2034 # the rest of the line is read off, not used
  [ -f "$BACKUP_DIR/$1" ] && read -r me_epoch me_rest <"$BACKUP_DIR/$1"
  is_uint "$me_epoch" || me_epoch=0
  printf '%s\n' "$me_epoch"
}

marker_text() {
  [ -f "$BACKUP_DIR/$1" ] || return 0
  # shellcheck disable=SC2034 # the epoch is read off, not used
  read -r mt_epoch mt_rest <"$BACKUP_DIR/$1" && printf '%s\n' "$mt_rest"
}

# ping ok|fail EPOCH BODY: one request; the URL goes to curl on stdin (a config line), never into argv.
ping() {
  pg_url=$HEARTBEAT_URL
  [ "$1" = ok ] || pg_url=$(printf '%s' "$HEARTBEAT_URL" | sed 's:/*$:/fail:')
  pg_escaped=$(printf '%s' "$pg_url" | sed 's/[\\"]/\\&/g')
  if printf 'url = "%s"\n' "$pg_escaped" | curl --config - --silent --show-error --fail --max-time 10 --retry 3 \
    --output /dev/null --data-raw "$3" 2>"$HB_ERR"; then
    log_line "heartbeat sent result=$1 epoch=$2"
    return 0
  fi
  # curl's message may quote the URL: say only its exit status.
  log_error "heartbeat FAILED result=$1 epoch=$2 reason=\"curl could not deliver the ping\""
  return 1
}

HB_ERR=$(mktemp) || hb_config "cannot create a temporary file"
trap 'rm -f "$HB_ERR"' EXIT

if [ "$HEARTBEAT_MODE" = once ]; then
  if [ -z "$HEARTBEAT_SINCE" ]; then
    case $NOMAD_JOB_ID in
      */periodic-*) HEARTBEAT_SINCE=$(printf '%s' "$NOMAD_JOB_ID" | sed 's:.*/periodic-::') ;;
    esac
  fi
  is_uint "$HEARTBEAT_SINCE" || hb_config "once mode needs HEARTBEAT_SINCE (epoch) or NOMAD_JOB_ID of a periodic launch"
  hb_ok=$(marker_epoch .last-success)
  hb_fail=$(marker_epoch .last-failure)
  if [ "$hb_fail" -ge "$HEARTBEAT_SINCE" ] && [ "$hb_fail" -ge "$hb_ok" ]; then
    ping fail "$hb_fail" "backup FAILED: $(marker_text .last-failure)"
  elif [ "$hb_ok" -ge "$HEARTBEAT_SINCE" ]; then
    ping ok "$hb_ok" "backup ok: $(marker_text .last-success)"
  else
    ping fail "$HEARTBEAT_SINCE" "no backup result since the launch at $HEARTBEAT_SINCE"
  fi
  exit $?
fi
[ "$HEARTBEAT_MODE" = loop ] || hb_config "HEARTBEAT_MODE must be loop or once, got '$HEARTBEAT_MODE'"

hb_sent_ok=0
hb_sent_fail=0
if [ -f "$HEARTBEAT_STATE" ]; then
  read -r hb_sent_ok hb_sent_fail <"$HEARTBEAT_STATE" || true
  is_uint "$hb_sent_ok" || hb_sent_ok=0
  is_uint "$hb_sent_fail" || hb_sent_fail=0
fi
hb_round=0
while :; do
  hb_ok=$(marker_epoch .last-success)
  hb_fail=$(marker_epoch .last-failure)
  # Both new: the older first, so that the check ends in the newest state.
  if [ "$hb_ok" -gt "$hb_sent_ok" ] && { [ "$hb_fail" -le "$hb_sent_fail" ] || [ "$hb_ok" -le "$hb_fail" ]; }; then
    ping ok "$hb_ok" "backup ok: $(marker_text .last-success)" && hb_sent_ok=$hb_ok
  fi
  if [ "$hb_fail" -gt "$hb_sent_fail" ]; then
    ping fail "$hb_fail" "backup FAILED: $(marker_text .last-failure)" && hb_sent_fail=$hb_fail
  fi
  if [ "$hb_ok" -gt "$hb_sent_ok" ]; then
    ping ok "$hb_ok" "backup ok: $(marker_text .last-success)" && hb_sent_ok=$hb_ok
  fi
  if ! { printf '%s %s\n' "$hb_sent_ok" "$hb_sent_fail" >"$HEARTBEAT_STATE.tmp" && mv -f "$HEARTBEAT_STATE.tmp" "$HEARTBEAT_STATE"; }; then
    log_error "heartbeat: cannot write $HEARTBEAT_STATE"
  fi
  hb_round=$((hb_round + 1))
  if [ -n "$HEARTBEAT_LOOP_ITERATIONS" ] && [ "$hb_round" -ge "$HEARTBEAT_LOOP_ITERATIONS" ]; then
    exit 0
  fi
  sleep "$HEARTBEAT_POLL_SECONDS"
done
