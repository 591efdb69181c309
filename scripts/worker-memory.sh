#!/usr/bin/env bash
# Measures one parse worker's resident memory (BenchmarkWorkerMemory in
# parse/memory_bench_test.go) in normal and race builds, compiling PDFium
# into an empty cache and loading it from a filled one, and prints a
# Markdown table for BENCHMARKS.md. The race figures set raceHeadroom
# (parse/race_on.go). About 3 minutes on 2 cores once the test binaries
# are built.
set -euo pipefail
cd "$(dirname "$0")/.."

metric() { # metric UNIT LINE: the value reported with UNIT
  awk -v u="$1" '{ for (i = 2; i <= NF; i++) if ($i == u) { printf "%.0f", $(i-1) } }' <<<"$2"
}

echo "| build | engine cache | start-up peak MiB | ready MiB | peak over the corpus MiB | documents (failed) |"
echo "|---|---|---|---|---|---|"
for build in normal race; do
  flags=()
  [ "$build" = race ] && flags=(-race)
  out=$(go test "${flags[@]}" -count=1 -run '^$' -bench '^BenchmarkWorkerMemory$' -benchtime 1x ./parse 2>/dev/null)
  for state in cold warm; do
    line=$(grep "^BenchmarkWorkerMemory/$state" <<<"$out")
    printf '| %s | %s | %s | %s | %s | %s (%s) |\n' "$build" "$state" \
      "$(metric startup-peak-MiB "$line")" "$(metric ready-MiB "$line")" "$(metric peak-MiB "$line")" \
      "$(metric docs "$line")" "$(metric failed "$line")"
  done
done
