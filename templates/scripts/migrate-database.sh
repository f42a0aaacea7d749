#!/bin/sh
# migrate-database: copies one service database from the legacy shared PostgreSQL into the service's dedicated
# PostgreSQL, once, and proves the copy before it counts as done.
#
# Environment:
#   SOURCE_PGHOST, SOURCE_PGPORT, SOURCE_PGUSER, SOURCE_PGPASSWORD  the shared instance (admin or the service's role)
#   SOURCE_DATABASE     the service's database there
#   TARGET_PGHOST, TARGET_PGPORT, TARGET_PGUSER, TARGET_PGPASSWORD  the dedicated instance (its POSTGRES_USER)
#   TARGET_DATABASE     the database there (normally its POSTGRES_DB)
#   TARGET_OWNER        the role that owns everything restored (normally the service's role = POSTGRES_USER)
#   MIGRATION_WORKDIR   directory for the dump file (removed on exit)
#   MIGRATION_WAIT_SECONDS  how long to wait for each server (default 120)
#
# Steps, one log line each:
#   1. wait for both servers;
#   2. the target holds nomad_db_migration.completed for this source database -> "already migrated", exit 0;
#   3. the target holds tables, sequences, views, schemas or large objects this migration did not put there -> refuse
#      and change nothing;
#   4. pg_dump -Fc from the source, and pg_restore --list must read the dump back;
#   5. record the source's exact row count of every table, every sequence's last value and the number of large objects;
#   6. in ONE target transaction: restore (pg_restore --no-owner --role=TARGET_OWNER, as SQL applied by psql with
#      ON_ERROR_STOP), count the same things again, compare, write the completion marker, commit.
#      Any error or any difference rolls everything back: the target is left as it was and no marker is written.
# Run it with the client tools of the target's image: pg_dump must not be older than the source server.
# Stop the service's app first; writes on the source after the dump show up as a count difference and fail the run.
#
# This file is embedded in a Nomad template: it contains no dollar-brace, percent-brace or double-brace sequences.

set -e

log() { printf 'migrate-database: %s\n' "$*"; }
fail() {
  printf 'migrate-database: error: %s\n' "$*" >&2
  exit 1
}

# A database or role name: 1-63 ASCII letters, digits, '_' or '-', not starting with a digit or '-'.
valid_name() {
  printf '%s\n' "$1" | LC_ALL=C grep -Eqx '[A-Za-z_][A-Za-z0-9_-]{0,62}'
}

# Runs a command with the libpq settings of one side (SOURCE or TARGET) and no other PG* variable.
on() (
  side=$1
  shift
  unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGOPTIONS
  for setting in PGHOST PGPORT PGUSER PGPASSWORD; do
    name=$side"_"$setting
    eval "value=\$$name"
    if [ -n "$value" ]; then export "$setting=$value"; fi
  done
  "$@"
)

# psql for one side and database: no psqlrc, no prompt, stop at the first error, unaligned tuples only.
sql() {
  side=$1
  database=$2
  shift 2
  on "$side" psql -X -q -w -At -v ON_ERROR_STOP=1 -d "$database" "$@"
}

for required in SOURCE_DATABASE TARGET_DATABASE TARGET_OWNER MIGRATION_WORKDIR; do
  eval "value=\$$required"
  [ -n "$value" ] || fail "$required must be set"
done
valid_name "$SOURCE_DATABASE" || fail "SOURCE_DATABASE is not a valid database name"
valid_name "$TARGET_DATABASE" || fail "TARGET_DATABASE is not a valid database name"
valid_name "$TARGET_OWNER" || fail "TARGET_OWNER is not a valid role name"
[ -n "$MIGRATION_WAIT_SECONDS" ] || MIGRATION_WAIT_SECONDS=120
case $MIGRATION_WAIT_SECONDS in '' | *[!0-9]*) fail "MIGRATION_WAIT_SECONDS must be a whole number of seconds" ;; esac

source_label="$SOURCE_PGHOST:$SOURCE_PGPORT/$SOURCE_DATABASE"
target_label="$TARGET_PGHOST:$TARGET_PGPORT/$TARGET_DATABASE"

# What the migration must carry over, as one flat jsonb object: exact row count per table, last value per sequence,
# number of large objects. Read-only (query_to_xml runs the count), so it can run on the shared instance.
state_sql="SELECT (
  SELECT COALESCE(pg_catalog.jsonb_object_agg('table ' || pg_catalog.format('%I.%I', n.nspname, c.relname),
           (pg_catalog.xpath('/row/n/text()', pg_catalog.query_to_xml(
              pg_catalog.format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]
           ::text::bigint), '{}'::jsonb)
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r' AND c.relpersistence <> 't'
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'nomad_db_migration')
     AND n.nspname NOT LIKE 'pg\\_toast%'
) || (
  SELECT COALESCE(pg_catalog.jsonb_object_agg('sequence ' || pg_catalog.format('%I.%I', schemaname, sequencename),
           last_value), '{}'::jsonb)
    FROM pg_catalog.pg_sequences
   WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'nomad_db_migration')
) || pg_catalog.jsonb_build_object('large objects', (SELECT pg_catalog.count(*) FROM pg_catalog.pg_largeobject_metadata))"

# Objects in the target that only an earlier restore or an app could have put there (first few, for the message).
foreign_objects_sql="SELECT pg_catalog.string_agg(what, ', ') FROM (
  SELECT what FROM (
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) || ' (' ||
           CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'
                          WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'relation' END || ')' AS what
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f') AND c.relpersistence <> 't'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'nomad_db_migration')
       AND n.nspname NOT LIKE 'pg\\_toast%'
    UNION ALL
    SELECT pg_catalog.format('%I', nspname) || ' (schema)' FROM pg_catalog.pg_namespace
     WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema', 'nomad_db_migration')
       AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'
    UNION ALL
    SELECT pg_catalog.count(*) || ' large objects' FROM pg_catalog.pg_largeobject_metadata HAVING pg_catalog.count(*) > 0
  ) found ORDER BY what LIMIT 5
) first_few"

wait_for() {
  side=$1
  database=$2
  deadline=$(($(date +%s) + MIGRATION_WAIT_SECONDS))
  until on "$side" pg_isready -q -t 3 -d "$database"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$side PostgreSQL did not accept connections within $MIGRATION_WAIT_SECONDS s"
    sleep 1
  done
}

# 1. Both servers up, both databases reachable.
wait_for SOURCE "$SOURCE_DATABASE"
wait_for TARGET "$TARGET_DATABASE"
source_version=$(sql SOURCE "$SOURCE_DATABASE" -c 'SHOW server_version') || fail "cannot connect to source $source_label"
target_version=$(sql TARGET "$TARGET_DATABASE" -c 'SHOW server_version') || fail "cannot connect to target $target_label"
log "step 1/6: source $source_label (PostgreSQL $source_version) and target $target_label (PostgreSQL $target_version) accept connections"

# 2. Done before? The marker travels inside the target database, so a restored backup of it remembers too.
migrated_from=$(sql TARGET "$TARGET_DATABASE" -v source_database="$SOURCE_DATABASE" -f - <<'SQL'
SELECT pg_catalog.to_regclass('nomad_db_migration.completed') IS NOT NULL AS has_marker_table \gset
\if :has_marker_table
SELECT pg_catalog.string_agg(pg_catalog.format('%s from %s:%s at %s', source_database, source_host, source_port,
         migrated_at), '; ' ORDER BY source_database = :'source_database' DESC, migrated_at)
  FROM nomad_db_migration.completed;
\endif
SQL
) || fail "cannot read the migration marker in target $target_label"
case $migrated_from in
  '') ;;
  "$SOURCE_DATABASE from "*)
    log "step 2/6: already migrated ($migrated_from); nothing to do"
    exit 0
    ;;
  *) fail "target $target_label was migrated from another database ($migrated_from); refusing, nothing changed" ;;
esac
log "step 2/6: no completion marker in the target; migrating"

# 3. Never mix with data this migration did not put there (for example the app started against the empty target).
found=$(sql TARGET "$TARGET_DATABASE" -c "$foreign_objects_sql") || fail "cannot inspect target $target_label"
[ -z "$found" ] || fail "target $target_label already holds objects this migration did not create: $found ...; refusing, nothing changed"
can_become_owner=$(sql TARGET "$TARGET_DATABASE" -v owner="$TARGET_OWNER" -f - <<'SQL'
SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'owner')
   AND pg_catalog.pg_has_role(current_user, :'owner', 'MEMBER');
SQL
) || fail "cannot check role $TARGET_OWNER in target $target_label"
[ "$can_become_owner" = t ] || fail "role $TARGET_OWNER does not exist in the target or the target user cannot SET ROLE to it"
others=$(sql SOURCE "$SOURCE_DATABASE" -c \
  'SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_activity WHERE datname = pg_catalog.current_database() AND pid <> pg_catalog.pg_backend_pid()') ||
  fail "cannot read pg_stat_activity on the source"
if [ "$others" != 0 ]; then
  log "warning: $others other sessions are connected to the source database; stop the app before migrating"
fi
log "step 3/6: target holds no tables, sequences, views, schemas or large objects yet; $TARGET_OWNER will own the restored objects"

# 4. Dump, and prove the archive reads back.
mkdir -p "$MIGRATION_WORKDIR" || fail "cannot create MIGRATION_WORKDIR $MIGRATION_WORKDIR"
umask 077
dump="$MIGRATION_WORKDIR/migrate-$SOURCE_DATABASE.dump"
trap 'rm -f "$dump" "$dump.partial" "$dump.expected"' EXIT
trap 'exit 1' HUP INT TERM
on SOURCE pg_dump -w -Fc -d "$SOURCE_DATABASE" -f "$dump.partial" || fail "pg_dump of source $source_label failed"
mv "$dump.partial" "$dump"
toc=$(pg_restore --list "$dump") || fail "pg_restore --list cannot read the dump; it is not usable"
table_data=$(printf '%s\n' "$toc" | grep -c ' TABLE DATA ' || true)
dump_bytes=$(wc -c <"$dump" | tr -d ' ')
log "step 4/6: dumped $source_label ($dump_bytes bytes, $table_data table data entries; pg_restore --list reads it)"

# 5. What the source holds now. Taken after the dump: a write in between makes the counts differ and fails step 6.
sql SOURCE "$SOURCE_DATABASE" -c "$state_sql" >"$dump.expected" || fail "cannot count rows on the source"
source_system_identifier=$(sql SOURCE "$SOURCE_DATABASE" -c 'SELECT system_identifier FROM pg_catalog.pg_control_system()' 2>/dev/null) ||
  source_system_identifier=''
log "step 5/6: counted rows of every table, sequences and large objects on the source"

# 6. Restore, verify, mark: one transaction. pg_restore --single-transaction writes the restore as SQL between its
#    own BEGIN and COMMIT (its \restrict guard keeps the dump from running psql meta-commands); we open the transaction
#    first and queue a deferred constraint trigger in it, so the verification and the marker run inside that COMMIT.
#    If they raise, the COMMIT fails and everything, restored data included, is rolled back.
restore_sql() {
  cat <<'SQL'
\set expected `cat :'expected_file'`
SET client_min_messages = error;
BEGIN;
SQL
  # shellcheck disable=SC2016 # $guard$ is SQL dollar quoting, not a shell expansion
  printf 'DO $guard$ DECLARE found text := (%s); BEGIN\n' "$foreign_objects_sql"
  cat <<'SQL'
  IF found IS NOT NULL THEN
    RAISE EXCEPTION 'migrate-database: objects appeared in the target while migrating: %', found;
  END IF;
END
$guard$;
CREATE SCHEMA IF NOT EXISTS nomad_db_migration AUTHORIZATION :"owner";
CREATE TABLE IF NOT EXISTS nomad_db_migration.completed (
  source_host text NOT NULL,
  source_port text NOT NULL,
  source_database text NOT NULL,
  source_system_identifier text NOT NULL,
  source_server_version text NOT NULL,
  migrated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  verified_counts jsonb NOT NULL
);
ALTER TABLE nomad_db_migration.completed OWNER TO :"owner";
COMMENT ON TABLE nomad_db_migration.completed IS
  'Written by migrate-database once the copy from the shared PostgreSQL was verified; its presence makes reruns no-ops.';
CREATE TEMPORARY TABLE nomad_db_migration_run (
  expected jsonb NOT NULL,
  source_host text NOT NULL,
  source_port text NOT NULL,
  source_database text NOT NULL,
  source_system_identifier text NOT NULL,
  source_server_version text NOT NULL
);
CREATE FUNCTION pg_temp.nomad_db_migration_verify() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $verify$
DECLARE
  run record;
  actual jsonb;
  differences text;
BEGIN
  SELECT * INTO STRICT run FROM pg_temp.nomad_db_migration_run;
SQL
  printf '  actual := (%s);\n' "$state_sql"
  cat <<'SQL'
  SELECT pg_catalog.string_agg(pg_catalog.format('%s: source %s, target %s', key,
           COALESCE(e.value::text, 'missing'), COALESCE(a.value::text, 'missing')), '; ' ORDER BY key)
    INTO differences
    FROM pg_catalog.jsonb_each(run.expected) e FULL JOIN pg_catalog.jsonb_each(actual) a USING (key)
   WHERE e.value IS DISTINCT FROM a.value;
  IF differences IS NOT NULL THEN
    RAISE EXCEPTION 'migrate-database: verification failed, rolling back (nothing is kept, no marker): %', differences;
  END IF;
  INSERT INTO nomad_db_migration.completed (source_host, source_port, source_database, source_system_identifier,
                                            source_server_version, verified_counts)
  VALUES (run.source_host, run.source_port, run.source_database, run.source_system_identifier,
          run.source_server_version, run.expected);
  RETURN NULL;
END
$verify$;
CREATE CONSTRAINT TRIGGER verify_before_commit AFTER INSERT ON pg_temp.nomad_db_migration_run
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pg_temp.nomad_db_migration_verify();
INSERT INTO pg_temp.nomad_db_migration_run VALUES
  (:'expected', :'source_host', :'source_port', :'source_database', :'source_system_identifier', :'source_version');
SQL
  pg_restore --single-transaction --no-owner --role="$TARGET_OWNER" --no-privileges --no-tablespaces \
    --no-security-labels --no-publications --no-subscriptions -f - "$dump" || {
    printf '\\warn migrate-database: error: pg_restore could not read the dump\n'
    printf "SELECT 'migrate-database: pg_restore failed'::pg_catalog.int4;\n"
  }
}

restore_sql | sql TARGET "$TARGET_DATABASE" -o /dev/null \
  -v expected_file="$dump.expected" -v owner="$TARGET_OWNER" -v source_host="$SOURCE_PGHOST" -v source_port="$SOURCE_PGPORT" \
  -v source_database="$SOURCE_DATABASE" -v source_system_identifier="$source_system_identifier" \
  -v source_version="$source_version" -f - ||
  fail "restore into target $target_label failed or did not verify; rolled back, the target is unchanged and has no marker"
# psql also ends quietly when its input stops early (an open transaction is then rolled back): trust only the marker.
marker=$(sql TARGET "$TARGET_DATABASE" -v source_database="$SOURCE_DATABASE" -f - 2>/dev/null <<'SQL'
SELECT pg_catalog.count(*) FROM nomad_db_migration.completed WHERE source_database = :'source_database';
SQL
) || marker=0
[ "$marker" = 1 ] || fail "the restore transaction did not commit; the target is unchanged and has no marker"
log "step 6/6: restored into $target_label as $TARGET_OWNER, verified, and recorded in nomad_db_migration.completed"
log "migrated $source_label to $target_label"
