#!/usr/bin/env bash
# The comparisons BenchmarkDotNet cannot make on its own, each measured against its reference in the same run:
#   anchor   our render of the typical job against the Go text/template anchor (benchmarks/anchor), which writes the
#            same bytes: checked with cmp for all 100 models before anything is timed (no timing if one differs). The
#            same plain loop over 100 prepared models, renders/s, ROUNDS interleaved pairs (Go, ours, Go, ours, ...);
#            prints min and median of the per-round ratio ours ÷ Go, and the median renders/s of each.
#   startup  `nomad-db render examples -o DIR` wall time against a hello-world console app (benchmarks/HelloWorld)
#            published the same way; median of RUNS runs, interleaved; prints nomad-db ÷ hello-world per publish mode.
#   fleet    the AOT nomad-db on a generated fleet (FLEET=10000 specs): render into an empty directory, render again
#            (every file unchanged), check; wall time, median of 3.
#   bdn      the BenchmarkDotNet suite (all benchmarks; takes several minutes).
#
# usage: benchmarks/run.sh [anchor] [startup] [fleet] [bdn]        (default: anchor startup fleet)
# env:   RENDERS=100000  renders per timed loop        ROUNDS=5   anchor/ours pairs (min and median ratio reported)
#        RUNS=11         start-up runs per binary      MODES="jit r2r aot"  publish modes (aot builds take ~1 min)
#        ANCHOR_DIR=benchmarks/anchor  (any anchor must pass the same-bytes check)
#        CPU=            core to pin the timed loops to (taskset); unset: no
#        pinning (both loops are single-threaded either way; pinned to one busy core, .NET's tiered JIT reaches its
#        optimized code only after many seconds, so a pinned run measures the JIT's tier-up, not the render)
# Needs the .NET 10 SDK; installs Debian's golang-1.19-go when no Go toolchain is found (as root).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${TMPDIR:-/tmp}/nomad-db-bench"
renders="${RENDERS:-100000}"
rounds="${ROUNDS:-5}"
runs="${RUNS:-11}"
modes="${MODES:-jit r2r aot}"
anchor_dir="${ANCHOR_DIR:-$repo/benchmarks/anchor}"
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
  echo "== render: typical job, ours vs Go text/template anchor ($("$go" version | cut -d' ' -f3), $renders renders per loop, $rounds rounds, ${pin[*]:-unpinned})"
  # Built outside the repository: no binary or Go cache in the work tree.
  (cd "$anchor_dir" && GOCACHE="$work/gocache" GOPATH="$work/gopath" GOFLAGS=-mod=mod "$go" build -o "$work/anchor" .)
  build_benchmarks

  # The comparison is only fair if both write the same bytes: every model, compared before anything is timed.
  local ours_dir="$work/anchor-ours" go_dir="$work/anchor-go" i differ=()
  rm -rf "$ours_dir" "$go_dir"; mkdir -p "$go_dir"
  dotnet "$bench_dll" anchor-compare 1 print-all "$ours_dir"
  # The scripts' checksum in the header is the one value the anchor does not compute (see benchmarks/anchor/main.go):
  # our side computes it once per template set, the anchor is given ours.
  local sha
  sha="$(sed -n 's/.*(nomad-db-scripts\*\.nv\.hcl), sha256 \([0-9a-f]*\)\.$/\1/p' "$ours_dir/0.hcl" | head -1)"
  for ((i = 0; i < 100; i++)); do
    ANCHOR_SCRIPTS_SHA256="$sha" "$work/anchor" 1 print "$i" >"$go_dir/$i.hcl"
    cmp -s "$ours_dir/$i.hcl" "$go_dir/$i.hcl" || differ+=("$i")
  done
  if [ ${#differ[@]} -gt 0 ]; then
    echo "  REFUSING TO TIME: the anchor's output differs from ours for ${#differ[@]} of 100 models (${differ[*]:0:10})." >&2
    echo "  First difference: $(cmp "$ours_dir/${differ[0]}.hcl" "$go_dir/${differ[0]}.hcl" 2>&1 || true)" >&2
    echo "  diff -u $ours_dir/${differ[0]}.hcl $go_dir/${differ[0]}.hcl; update $anchor_dir (job.tpl, the model in main.go)." >&2
    exit 1
  fi
  echo "  same bytes: the anchor's output equals ours for all 100 models ($(wc -c <"$ours_dir/0.hcl") bytes for model 0)"

  local go_rates=() our_rates=() ratios=() line go_rate our_rate go_bytes=0 our_bytes=0 round
  for ((round = 1; round <= rounds; round++)); do
    line="$(ANCHOR_SCRIPTS_SHA256="$sha" "${pin[@]}" "$work/anchor" "$renders")"; echo "  $line"; go_rate="$(rate <<<"$line")"; go_bytes="$(size <<<"$line")"
    line="$("${pin[@]}" dotnet "$bench_dll" anchor-compare "$renders")"; echo "  $line"; our_rate="$(rate <<<"$line")"; our_bytes="$(size <<<"$line")"
    go_rates+=("$go_rate"); our_rates+=("$our_rate")
    ratios+=("$(awk -v o="$our_rate" -v g="$go_rate" 'BEGIN { printf "%.3f", o / g }')")
    echo "  round $round: ours / Go = ${ratios[-1]}"
  done
  [ "$go_bytes" = "$our_bytes" ] || { echo "  bytes/render differ in the timed loops: Go $go_bytes, ours $our_bytes" >&2; exit 1; }
  line="$("${pin[@]}" dotnet "$bench_dll" anchor-compare "$((renders * 5))" floor)"; echo "  $line"
  awk -v rmin="$(printf '%s\n' "${ratios[@]}" | sort -n | head -1)" -v rmed="$(printf '%s\n' "${ratios[@]}" | median)" \
    -v gm="$(printf '%s\n' "${go_rates[@]}" | median)" -v om="$(printf '%s\n' "${our_rates[@]}" | median)" -v b="$our_bytes" -v n="$rounds" 'BEGIN {
    printf "  anchor ratio (ours / Go renders/s, per round, %d rounds): min %.2f, median %.2f\n", n, rmin, rmed
    printf "  medians: ours %d renders/s, Go %d renders/s (%d bytes/render each)\n", om, gm, b }'
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
  echo "== start-up: nomad-db render examples -o DIR vs hello world, published the same way ($runs interleaved rounds)"
  local mode cli hello out="$work/out"
  for mode in $modes; do
    publish "$mode" "$repo/src/NomadDbPatterns.Cli" "$work/cli-$mode"
    publish "$mode" "$repo/benchmarks/HelloWorld" "$work/hello-$mode"
    cli="$work/cli-$mode/nomad-db"; hello="$work/hello-$mode/HelloWorld"
    echo "  $mode (publish dir $(du -sk "$work/cli-$mode" | cut -f1) KB):"
    python3 "$repo/benchmarks/proctime.py" "$runs" --clean "$out" --cwd "$repo" \
      "hello world=$hello" "nomad-db render examples=$cli render examples -o $out"
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
