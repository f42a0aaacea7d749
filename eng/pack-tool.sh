#!/usr/bin/env bash
# Packs nomad-db the way users install it (see README, "Install"): the pointer package NomadDbPatterns.Cli, the Native
# AOT package for this machine's RID, and NomadDbPatterns.Cli.any (framework-dependent, for platforms without a
# package of their own); then `dotnet tool install --add-source OUT NomadDbPatterns.Cli` picks the right one.
#
# usage: eng/pack-tool.sh [OUT]          (default: artifacts)
# env:   RID=linux-x64   the native package to build (default: this machine's RID). Native AOT compiles only for the
#                        OS it runs on, so linux-arm64, osx-arm64 and win-x64 are packed on those machines into the
#                        same OUT before publishing.
#        PROJECT=DIR     another tool project packed the same way (benchmarks/run.sh packs benchmarks/HelloWorld)
#        AOT=0           pack the RID's package as a framework-dependent build instead (no C toolchain needed); it
#                        installs and runs the same, it only starts slower.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-artifacts}" && cd "${1:-artifacts}" && pwd)"
project="${PROJECT:-$repo/src/NomadDbPatterns.Cli}"
rid="${RID:-$(dotnet --info | sed -n 's/^ *RID: *//p' | head -n 1)}"
[ -n "$rid" ] || { echo "cannot tell this machine's RID from dotnet --info; set RID" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Each package is packed from a fresh publish folder: pack takes every file in it, and a stale one would ship.
pack() { local name=$1; shift; dotnet pack "$project" -c Release -o "$out" --nologo -v quiet -p:PublishDir="$work/$name/" "$@"; }

pack pointer                                        # names the per-RID packages
if [ "${AOT:-1}" = 1 ]; then
  pack "$rid" -r "$rid"                             # Native AOT nomad-db for this RID
else
  pack "$rid" -r "$rid" -p:PublishAot=false -p:SelfContained=false
fi
pack any -r any -p:PublishAot=false                 # framework-dependent fallback for every other RID
echo "packed into $out"
