#!/usr/bin/env bash
# Runs every native fuzz target in the module for FUZZTIME (default 10s) each.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
go test -list '^Fuzz' ./... | awk '/^Fuzz/{names=names" "$1} /^ok/{if(names!="")print $2":"names; names=""}' |
while IFS=: read -r pkg names; do
  for fn in $names; do
    echo "fuzz $pkg $fn ($fuzztime)"
    go test -run "^$" -fuzz "^${fn}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1x "$pkg"
  done
done
