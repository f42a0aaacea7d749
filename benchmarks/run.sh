#!/usr/bin/env bash
# The comparisons BenchmarkDotNet cannot make on its own, each measured against its reference in the same run:
#   anchor   our render of the typical job against the Go text/template anchor (../shared/anchors/gotemplate):
#            the same job shape, the same plain loop over 100 prepared models, renders/s on one core, interleaved
#            rounds; prints ours ÷ anchor, as shipped (with the backup scripts, ~19x the anchor's bytes) and with the
#            scripts replaced by one-line stubs through a --templates override (the anchor's size).
#   startup  `nomad-db render examples -o DIR` wall time against a hello-world console app (benchmarks/HelloWorld)
#            published the same way; median of RUNS runs, interleaved; prints nomad-db ÷ hello-world per publish mode.
#   fleet    the AOT nomad-db on a generated fleet (FLEET=10000 specs): render into an empty directory, render again
#            (every file unchanged), check; wall time, median of 3.
#   bdn      the BenchmarkDotNet suite (all benchmarks; takes several minutes).
#
# usage: benchmarks/run.sh [anchor] [startup] [fleet] [bdn]        (default: anchor startup fleet)
# env:   RENDERS=100000  renders per timed loop        ROUNDS=3   anchor/ours rounds (best and median reported)
#        RUNS=11         start-up runs per binary      MODES="jit r2r aot"  publish modes (aot builds take ~1 min)
#        ANCHOR_DIR=../shared/anchors/gotemplate       CPU=       core to pin the timed loops to (taskset); unset: no
#        pinning (both loops are single-threaded either way; pinned to one busy core, .NET's tiered JIT reaches its
#        optimized code only after many seconds, so a pinned run measures the JIT's tier-up, not the render)
# Needs the .NET 10 SDK; installs Debian's golang-1.19-go when no Go toolchain is found (as root).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${TMPDIR:-/tmp}/nomad-db-bench"
renders="${RENDERS:-100000}"
rounds="${ROUNDS:-3}"
runs="${RUNS:-11}"
modes="${MODES:-jit r2r aot}"
anchor_dir="${ANCHOR_DIR:-$repo/../shared/anchors/gotemplate}"
[ -n "${ANCHOR_DIR:-}" ] || [ -d "$anchor_dir" ] || anchor_dir="$repo/../../shared/anchors/gotemplate" # a worktree one level down
cpu="${CPU:-}"
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(install anchor startup fleet)
mkdir -p "$work"

pin=()
if [ -n "$cpu" ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt "$cpu" ]; then
  pin=(taskset -c "$cpu")
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)   commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { sort -n | tail -1; }

find_go() {
  local candidate
  for candidate in go /usr/lib/go-1.19/bin/go /usr/lib/go/bin/go; do
    if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return; fi
  done
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing golang-1.19-go" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-1.19-go >/dev/null
    echo /usr/lib/go-1.19/bin/go
  else
    echo "no Go toolchain: sudo apt-get install golang-1.19-go" >&2
    exit 1
  fi
}

bench_dll="$repo/benchmarks/NomadDbPatterns.Benchmarks/bin/Release/net10.0/NomadDbPatterns.Benchmarks.dll"
build_benchmarks() {
  dotnet build -c Release "$repo/benchmarks/NomadDbPatterns.Benchmarks" -v quiet -nologo >/dev/null
}

rate() { sed -n 's/.*: \([0-9]*\) renders\/s.*/\1/p'; }
size() { sed -n 's/.* \([0-9]*\) bytes\/render.*/\1/p'; }

run_anchor() {
  [ -f "$anchor_dir/main.go" ] || { echo "anchor not found at $anchor_dir (set ANCHOR_DIR)" >&2; exit 1; }
  local go
  go="$(find_go)"
  echo
  echo "== render: typical job, ours vs Go text/template anchor ($("$go" version | cut -d' ' -f3), $renders renders per loop, ${pin[*]:-unpinned})"
  # Built outside the repository: the anchor's code and binary are not ours to commit.
  (cd "$anchor_dir" && GOCACHE="$work/gocache" GOPATH="$work/gopath" GOFLAGS=-mod=mod "$go" build -o "$work/gotemplate" .)
  build_benchmarks
  local go_rates=() our_rates=() stub_rates=() line go_bytes=0 our_bytes=0 stub_bytes=0
  for ((round = 1; round <= rounds; round++)); do
    line="$("${pin[@]}" "$work/gotemplate" "$renders")"; echo "  $line"; go_rates+=("$(rate <<<"$line")"); go_bytes="$(size <<<"$line")"
    line="$("${pin[@]}" dotnet "$bench_dll" anchor-compare "$renders")"; echo "  $line"; our_rates+=("$(rate <<<"$line")"); our_bytes="$(size <<<"$line")"
    line="$("${pin[@]}" dotnet "$bench_dll" anchor-compare "$renders" pipeline --stub-scripts)"; echo "  $line"; stub_rates+=("$(rate <<<"$line")"); stub_bytes="$(size <<<"$line")"
  done
  line="$("${pin[@]}" dotnet "$bench_dll" anchor-compare "$((renders * 5))" floor)"; echo "  $line"
  line="$("${pin[@]}" dotnet "$bench_dll" anchor-compare "$((renders * 5))" floor --stub-scripts)"; echo "  $line"
  local stub_median
  stub_median="$(printf '%s\n' "${stub_rates[@]}" | median)"
  local go_best our_best go_median our_median
  go_best="$(printf '%s\n' "${go_rates[@]}" | best)"; our_best="$(printf '%s\n' "${our_rates[@]}" | best)"
  go_median="$(printf '%s\n' "${go_rates[@]}" | median)"; our_median="$(printf '%s\n' "${our_rates[@]}" | median)"
  # Our job also carries the backup scripts (tens of KB of heredoc) that the anchor's job leaves out: the output
  # throughput ratio says how the two engines compare per byte written.
  awk -v ob="$our_best" -v gb="$go_best" -v om="$our_median" -v gm="$go_median" -v oz="$our_bytes" -v gz="$go_bytes" \
    -v sm="$stub_median" -v sz="$stub_bytes" 'BEGIN {
    printf "  anchor ratio (ours / Go renders/s): best %.2f (%d / %d), median %.2f (%d / %d)\n", ob / gb, ob, gb, om / gm, om, gm
    printf "  output throughput: ours %.0f MB/s (%d bytes/render), Go %.0f MB/s (%d bytes/render), ratio %.1f\n", om * oz / 1e6, oz, gm * gz / 1e6, gz, (om * oz) / (gm * gz)
    printf "  anchor ratio with stub scripts (%d bytes/render): median %.2f (%d / %d)\n", sz, sm / gm, sm, gm }'
}

publish() { # publish MODE PROJECT DIR
  local mode="$1" project="$2" dir="$3"
  local args=(-c Release -o "$dir" -v quiet -nologo)
  case "$mode" in
    # Both projects carry the same publish settings; a mode only chooses among them.
    jit) args+=(-p:PublishReadyToRun=false) ;;
    r2r) args+=(-r linux-x64 --self-contained false -p:PublishAot=false -p:PublishReadyToRun=true) ;;
    aot) args+=(-r linux-x64) ;; # the CLI's default for a runtime identifier (see its .csproj)
    *) echo "unknown publish mode $mode (jit, r2r, aot)" >&2; exit 2 ;;
  esac
  rm -rf "$dir"
  dotnet publish "$project" "${args[@]}" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; exit 1; }
}

time_ms() { # time_ms CMD... -> "wall_us cpu_us" (user + sys); output discarded, must exit 0
  local TIMEFORMAT='%3R %3U %3S' timing
  timing="$({ time "$@" >/dev/null 2>&1; } 2>&1)"
  awk '{ printf "%d %d\n", $1 * 1e6, ($2 + $3) * 1e6 }' <<<"$timing"
}

run_startup() {
  echo
  echo "== start-up: nomad-db render examples -o DIR vs hello world, published the same way (median of $runs runs)"
  local mode cli hello out="$work/out"
  for mode in $modes; do
    publish "$mode" "$repo/src/NomadDbPatterns.Cli" "$work/cli-$mode"
    publish "$mode" "$repo/benchmarks/HelloWorld" "$work/hello-$mode"
    cli="$work/cli-$mode/nomad-db"; hello="$work/hello-$mode/HelloWorld"
    rm -rf "$out"; "$cli" render "$repo/examples" -o "$out" >/dev/null   # must work before it is timed
    "$cli" render "$repo/examples" -o "$out" >/dev/null; "$hello" >/dev/null   # warm the page cache
    local cli_us=() hello_us=() cli_cpu=() hello_cpu=() i sample
    for ((i = 0; i < runs; i++)); do
      sample="$(time_ms "$hello")"; hello_us+=("${sample% *}"); hello_cpu+=("${sample#* }")
      rm -rf "$out"
      sample="$(time_ms "$cli" render "$repo/examples" -o "$out")"; cli_us+=("${sample% *}"); cli_cpu+=("${sample#* }")
    done
    awk -v m="$mode" -v s="$(du -sk "$work/cli-$mode" | cut -f1)" \
      -v c="$(printf '%s\n' "${cli_us[@]}" | median)" -v h="$(printf '%s\n' "${hello_us[@]}" | median)" \
      -v cc="$(printf '%s\n' "${cli_cpu[@]}" | median)" -v hc="$(printf '%s\n' "${hello_cpu[@]}" | median)" 'BEGIN {
      printf "  %-4s nomad-db %6.1f ms   hello world %6.1f ms   ratio %.2f   (CPU user+sys: %.0f ms vs %.0f ms; publish dir %d KB)\n", m, c / 1000, h / 1000, c / h, cc / 1000, hc / 1000, s }'
  done
  if [[ " $modes " == *" jit "* ]]; then # every publish mode must write the same files and print the same text
    for mode in $modes; do
      cli="$work/cli-$mode/nomad-db"; out="$work/out-$mode"
      rm -rf "$out"; mkdir -p "$out"
      # The commands that need no Nomad server; an AOT build can lack code that only reflection reaches, so each
      # mode runs them all (outputs and exit codes), not just the render that is timed.
      (set +e; cd "$repo" && {
        "$cli" render examples -o "$out/hcl"; echo "exit $?"
        "$cli" render examples -o "$out/json" --format json; echo "exit $?"
        "$cli" validate examples; echo "exit $?"
        "$cli" check examples --against "$out/hcl"; echo "exit $?"
        "$cli" schema; echo "exit $?"
        "$cli" explain; echo "exit $?"
        "$cli" explain NDB003; echo "exit $?"
        "$cli" migrate examples/legacy/postgresql.yaml --plan; echo "exit $?"
        "$cli" migrate examples/legacy/postgresql.yaml --service speedtest-tracker -o "$out/migrate"; echo "exit $?"
        "$cli" init --preset gitea --name starter -o "$out/init.yaml"; echo "exit $?"
        printf 'name: x\nap: [1\n' >"$out/bad.yaml"; "$cli" validate "$out/bad.yaml" examples; echo "exit $?"
      } 2>&1 | sed "s|$out|OUT|g" >"$out.txt")
    done
    for mode in $modes; do
      out="$work/out-$mode"
      diff -r "$work/out-jit" "$out" >/dev/null && diff "$work/out-jit.txt" "$out.txt" >/dev/null \
        || { echo "  $mode output differs from jit output (diff -r $work/out-jit $out; diff $work/out-jit.txt $out.txt)" >&2; exit 1; }
    done
    echo "  outputs of: $modes are identical (render, render --format json, validate, check, schema, explain, migrate, init)"
  fi
}

run_install() {
  # What users feel: the tool as `dotnet tool install` puts it on PATH (eng/pack-tool.sh: the Native AOT package for
  # this RID), against a hello world packed and installed the same way, and against the same-bytes Go anchor as a
  # whole process (parse its template, render one job). Interleaved rounds, sub-millisecond timer (proctime.py).
  echo
  echo "== installed tool: nomad-db vs hello world installed the same way vs Go, whole processes ($runs interleaved rounds)"
  local kind
  for kind in cli hello; do
    rm -rf "$work/pk-$kind" "$work/tools-$kind" "$work/nuget-$kind"   # a fresh NuGet cache: the global one may hold an older build
    if [ "$kind" = cli ]; then
      "$repo/eng/pack-tool.sh" "$work/pk-$kind" >"$work/pk-$kind.log" 2>&1 || { tail -20 "$work/pk-$kind.log" >&2; exit 1; }
      NUGET_PACKAGES="$work/nuget-$kind" dotnet tool install --tool-path "$work/tools-$kind" --add-source "$work/pk-$kind" NomadDbPatterns.Cli >/dev/null
    else
      PROJECT="$repo/benchmarks/HelloWorld" "$repo/eng/pack-tool.sh" "$work/pk-$kind" >"$work/pk-$kind.log" 2>&1 || { tail -20 "$work/pk-$kind.log" >&2; exit 1; }
      NUGET_PACKAGES="$work/nuget-$kind" dotnet tool install --tool-path "$work/tools-$kind" --add-source "$work/pk-$kind" NomadDbPatterns.HelloWorld >/dev/null
    fi
  done
  local cli="$work/tools-cli/nomad-db" hello="$work/tools-hello/hello-world" go_args=()
  echo "  installed: $(readlink "$cli" | sed 's|.*/tools/||') ($(du -k "$(readlink -f "$cli")" | cut -f1) KB), $(readlink "$hello" | sed 's|.*/tools/||')"
  if [ -f "$anchor_dir/main.go" ]; then
    local go
    go="$(find_go)"
    (cd "$anchor_dir" && GOCACHE="$work/gocache" GOPATH="$work/gopath" GOFLAGS=-mod=mod "$go" build -o "$work/anchor" .)
    go_args=("go-anchor (one job)=$work/anchor 1")
  fi
  python3 "$repo/benchmarks/proctime.py" "$runs" --clean "$work/out" --cwd "$repo" \
    "hello-world=$hello" \
    "nomad-db --version=$cli --version" \
    "nomad-db render examples=$cli render examples -o $work/out" \
    "nomad-db render myservice.yaml=$cli render examples/myservice.yaml -o $work/out" \
    "${go_args[@]}"
  echo "  (examples: $(find "$repo/examples" -name '*.yaml' | wc -l) specs; $(cd "$repo" && "$cli" render examples -o "$work/out" | tail -n 1))"
}

run_fleet() {
  # The CLI as users run it in CI: the AOT binary (the publish default) on a generated fleet, wall time of one run
  # each: load + validate + render + write into an empty directory, the same again with every file unchanged (read and
  # compared, nothing written), and `check` against the output.
  local specs="${FLEET:-10000}" dir="$work/fleet-specs" out="$work/fleet-out" cli="$work/cli-aot/nomad-db"
  echo
  echo "== fleet: nomad-db (AOT) on $specs generated specs, wall time (median of 3)"
  [ -x "$cli" ] || publish aot "$repo/src/NomadDbPatterns.Cli" "$work/cli-aot"
  build_benchmarks
  rm -rf "$dir"; dotnet "$bench_dll" fleet-specs "$dir" "$specs"
  local fresh=() again=() check=() validate=() rss=() i sample
  # A new output directory per round, all deleted at the end: ext4 allocates inodes slowly right after thousands were
  # deleted (recently_deleted() in the kernel profile), which would time the previous round's `rm -rf`, not us.
  for ((i = 0; i < 3; i++)); do
    sample="$(time_ms "$cli" render "$dir" -o "$out-$i")"; fresh+=("${sample% *}")
    sample="$(time_ms "$cli" render "$dir" -o "$out-$i")"; again+=("${sample% *}")
    sample="$(time_ms "$cli" check "$dir" --against "$out-$i")"; check+=("${sample% *}")
    # validate loads, validates and renders every file into a reused buffer, writing nothing: the difference to the
    # first render is what creating the files costs. Its peak memory must stay bounded by the specs.
    sample="$(time_ms "$cli" validate "$dir")"; validate+=("${sample% *}")
    rss+=("$(python3 -c 'import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)' "$cli" validate "$dir")")
  done
  awk -v n="$specs" -v f="$(printf '%s\n' "${fresh[@]}" | median)" -v a="$(printf '%s\n' "${again[@]}" | median)" \
    -v c="$(printf '%s\n' "${check[@]}" | median)" -v files="$(find "$out-0" -type f | wc -l)" -v kb="$(du -sk "$out-0" | cut -f1)" 'BEGIN {
    printf "  render into an empty directory %.2f s (%d files, %d MB); render again, all unchanged %.2f s; check %.2f s; %.0f us/spec for the first\n", f / 1e6, files, kb / 1024, a / 1e6, c / 1e6, f / n }'
  awk -v f="$(printf '%s\n' "${fresh[@]}" | median)" -v v="$(printf '%s\n' "${validate[@]}" | median)" -v m="$(printf '%s\n' "${rss[@]}" | median)" 'BEGIN {
    printf "  validate (load, validate, render in memory, write nothing) %.2f s, peak RSS %d MB; creating the files: %.2f s (%.0f%% of the first render)\n", v / 1e6, m, (f - v) / 1e6, 100 * (f - v) / f }'
  rm -rf "$dir" "$out"-*
}

run_bdn() {
  echo
  echo "== BenchmarkDotNet suite"
  (cd "$repo" && dotnet run -c Release --project benchmarks/NomadDbPatterns.Benchmarks -- --filter '*')
}

for step in "${what[@]}"; do
  case "$step" in
    anchor) run_anchor ;;
    install) run_install ;;
    startup) run_startup ;;
    fleet) run_fleet ;;
    bdn) run_bdn ;;
    *) echo "unknown step $step (anchor, install, startup, fleet, bdn)" >&2; exit 2 ;;
  esac
done
