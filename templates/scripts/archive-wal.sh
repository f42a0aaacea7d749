#!/bin/sh
# archive-wal.sh: PostgreSQL's archive_command for continuous archiving onto the backup volume:
#   archive_command = '/bin/sh /local/archive-wal.sh %p %f /backups/wal'
# Copies one WAL segment (or history/backup file) atomically: to a hidden temporary name, synced, then renamed. A file
# already archived under that name is accepted only if it is byte for byte the same (a retry after a crash); a
# different file is never overwritten (two servers archiving into one place, or a restored server on the old
# timeline): the command fails, PostgreSQL keeps the segment and retries, and the failure shows in pg_stat_archiver,
# which the backup sidecar reports. POSIX sh; cp, cmp, mv, sync (coreutils or busybox). Runs as the postgres user.
# Exit codes: 0 archived, 1 not archived (PostgreSQL retries).

src=$1
name=$2
dir=$3
if [ -z "$src" ] || [ -z "$name" ] || [ -z "$dir" ]; then
  echo "archive-wal: usage: archive-wal.sh %p %f DIRECTORY" >&2
  exit 1
fi
case $name in
  */* | .* | '') echo "archive-wal: refusing file name '$name'" >&2 && exit 1 ;;
esac
if [ ! -d "$dir" ] || [ ! -w "$dir" ]; then
  echo "archive-wal: $dir is not a writable directory (is the backup volume mounted, and owned by the postgres user?)" >&2
  exit 1
fi

if [ -e "$dir/$name" ]; then
  if cmp -s "$src" "$dir/$name"; then
    exit 0
  fi
  echo "archive-wal: $dir/$name exists and differs from $src: not overwritten" >&2
  exit 1
fi

tmp="$dir/.$name.partial"
rm -f "$tmp"
if ! cp "$src" "$tmp"; then
  rm -f "$tmp"
  echo "archive-wal: cannot copy $src to $dir" >&2
  exit 1
fi
sync "$tmp" 2>/dev/null || sync
if ! mv "$tmp" "$dir/$name"; then
  rm -f "$tmp"
  echo "archive-wal: cannot rename the copy of $name into place" >&2
  exit 1
fi
sync "$dir" 2>/dev/null || sync
exit 0
