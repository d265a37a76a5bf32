#!/usr/bin/env bash
# Builds and runs every test project; ends with one line "N passed, M failed, K skipped".
# Dataset checks read ../shared/datasets when present and skip (with the reason) on a fresh clone without it.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
scripts/install-dependencies.sh || exit 1
log="$(mktemp)"
dotnet test PdnSegmentation.sln -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One summary line per test assembly: "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T"
read -r passed failed skipped < <(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" |
  awk -F'[:,]' '{f+=$2; p+=$4; s+=$6} END {printf "%d %d %d\n", p, f, s}')
assemblies=$(grep -Ec 'Failed: +[0-9]+, Passed: +[0-9]+' "$log")
rm -f "$log"
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi # a build error or a crashed test host
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
[ "$assemblies" -gt 0 ] || exit 1
exit "$status"
