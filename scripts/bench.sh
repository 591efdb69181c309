#!/usr/bin/env bash
# Measures Folio end to end and rewrites the section of BENCHMARKS.md between
# <!-- bench:start --> and <!-- bench:end --> (the rest of the file is left
# alone). Run by `make bench` after the Go benchmarks; needs bin/folio.
#
#   1. throughput on the mix (scripts/bench-mix.txt): folio parse --workers 1
#      and --workers $(nproc), pdftotext and PyMuPDF with 1 and nproc processes
#   2. model-bound throughput: tables and images to a local test model server
#      that adds a fixed latency (benchtool model)
#   3. ledger write and response-cache lookup rates (lineage Go benchmarks)
#   4. RSS of the folio process tree over a BENCH_PAGES-page run, per 1,000 pages
#   5. start-up: folio version, folio parse of a one-page PDF
#
# Settings (environment):
#   BENCH_QUICK=1        a fast variant: 1 run each, 1,000 pages, fewer start-ups
#   BENCH_PAGES=N        pages of the memory run (default 10000; quick 1000)
#   BENCH_REPS=N         runs of each throughput measurement (default 3; quick 1)
#   BENCH_MODEL_CALLS=N  tables and images to route (default 200)
#   BENCH_LATENCY=D      the model server's latency (default 1s: hosted models answer in 1-5 s;
#                        at 100ms the run measures parsing, not the model)
#   BENCH_CONCURRENCY=N  the endpoint's concurrency limit (default 4)
#   BENCH_GO=FILE        go test -bench output holding the lineage benchmarks
#                        (make bench passes bench/go.txt); without it they run here
#   BENCH_NOTE=TEXT      a line added to the section, e.g. the conditions of the run
#   BENCH_COMMAND=TEXT   the command shown in the section (default scripts/bench.sh)
#   FOLIO, CORPUS, BENCH_MD, BENCH_OUT, PYTHON: the binary (bin/folio), the corpus
#   (../shared/corpus), the file to update (BENCHMARKS.md), the results folder
#   (bench), the Python with python3-fitz (/usr/bin/python3)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=${BENCH_QUICK:-}
if [ -n "$quick" ] && [ "$quick" != 0 ]; then
  pages=${BENCH_PAGES:-1000} reps=${BENCH_REPS:-1} version_runs=10 onepage_runs=5
else
  quick='' pages=${BENCH_PAGES:-10000} reps=${BENCH_REPS:-3} version_runs=20 onepage_runs=10
fi
calls=${BENCH_MODEL_CALLS:-200}
latency=${BENCH_LATENCY:-1s}
concurrency=${BENCH_CONCURRENCY:-4}
folio=${FOLIO:-bin/folio}
corpus=${CORPUS:-../shared/corpus}
md=${BENCH_MD:-BENCHMARKS.md}
out=${BENCH_OUT:-bench}
py=${PYTHON:-/usr/bin/python3}
onepage=docling-pdf/2305.03393v1-pg9.pdf
cores=$(nproc)

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

[ -x "$folio" ] || die "$folio not found: run make build"
[ -d "$corpus" ] || die "corpus $corpus not found"
folio=$(realpath "$folio")
corpus=$(realpath "$corpus")

mapfile -t mix < <(grep -v -e '^#' -e '^[[:space:]]*$' scripts/bench-mix.txt)
[ "${#mix[@]}" -gt 0 ] || die "scripts/bench-mix.txt lists no file"
files=()
for rel in "${mix[@]}"; do
  [ -f "$corpus/$rel" ] || die "mix file $corpus/$rel not found"
  files+=("$corpus/$rel")
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/folio-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
results=$out/results
rm -rf "$results"
mkdir -p "$results"

say "building benchtool"
go build -o "$tmp/benchtool" ./internal/benchtool
bt=$tmp/benchtool

# Versions, and the engine's compilation cache warmed by one parse.
{
  "$folio" version
  if command -v pdftotext >/dev/null 2>&1; then pdftotext -v 2>&1 | sed -n 1p; fi # sed reads it all: no SIGPIPE
  "$py" -c 'import fitz; print("PyMuPDF", fitz.VersionBind)' 2>/dev/null || true
  go env GOVERSION
} >"$results/versions.txt"
"$folio" parse -q -o "$tmp/warm" --db "$tmp/warm.db" "$corpus/$onepage"
rm -rf "$tmp/warm" "$tmp/warm.db"*

# 1. Throughput on the mix: folio, then pdftotext and PyMuPDF on the same files,
# with one process and with one per core (result names NAME-1 and NAME-all).
folio_parse() { # WORKERS RESULT
  say "$2: folio parse --workers $1, $reps run(s) of ${#files[@]} files"
  "$bt" time -n "$reps" -ok-exit 1 -clean "$tmp/f{i}" -- \
    "$folio" parse --json --workers "$1" -o "$tmp/f{i}/out" --db "$tmp/f{i}/folio.db" "${files[@]}" \
    >"$results/$2.json"
}
pdftotext_all() { # PROCESSES RESULT
  say "$2: xargs -P $1 pdftotext"
  # shellcheck disable=SC2016 # expanded by the inner bash
  "$bt" time -n "$reps" -clean "$tmp/txt" -- bash -c 'mkdir -p "$1" && xargs -d "\n" -n 2 -P "$2" pdftotext -q <"$3"' \
    _ "$tmp/txt" "$1" "$tmp/pairs" >"$results/$2.json"
}
pymupdf_all() { # PROCESSES RESULT
  say "$2: PyMuPDF, $1 process(es)"
  "$bt" time -n "$reps" -clean "$tmp/mu" -- "$py" scripts/bench_pymupdf.py -j "$1" -o "$tmp/mu" "${files[@]}" \
    >"$results/$2.json"
}

folio_parse 1 folio-1
folio_parse "$cores" folio-all
echo "${#files[@]} $reps $cores" >"$results/mix.txt"
if command -v pdftotext >/dev/null 2>&1; then
  # Lines alternate input and output, for xargs -n 2.
  for i in "${!files[@]}"; do printf '%s\n%s\n' "${files[$i]}" "$tmp/txt/$i.txt"; done >"$tmp/pairs"
  pdftotext_all 1 pdftotext-1
  pdftotext_all "$cores" pdftotext-all
else
  echo "pdftotext not installed (Debian package poppler-utils; make deps)" >"$results/pdftotext-1.skip"
fi
if "$py" -c 'import fitz' 2>/dev/null; then
  pymupdf_all 1 pymupdf-1
  pymupdf_all "$cores" pymupdf-all
else
  echo "PyMuPDF not importable by $py (Debian package python3-fitz; make deps)" >"$results/pymupdf-1.skip"
fi

# 2. Model-bound throughput, on the sets with tables and images.
say "model: $calls tables and images, latency $latency, concurrency $concurrency"
candidates=()
for set in icdar2013 docling-pdf tabula-java camelot-lattice; do
  candidates+=("$corpus/$set"/*.pdf)
done
"$bt" model -folio "$folio" -dir "$tmp/model" -calls "$calls" -latency "$latency" -concurrency "$concurrency" \
  -- "${candidates[@]}" >"$results/model.json"
rm -rf "$tmp/model"

# 3. Ledger and cache rates, and the engine's floor: from the Go benchmarks
# make bench ran, or here.
gotxt=${BENCH_GO:-}
if [ -z "$gotxt" ] || [ ! -s "$gotxt" ]; then
  gotxt=$out/go-bench.txt
  say "lineage and engine benchmarks"
  go test ./lineage ./parse -run '^$' -bench 'RecordDocument|CacheGet|^BenchmarkMix$' -benchmem >"$gotxt"
fi

# 4. Memory over a long run: copies of the mix under other paths.
say "rss: $pages pages"
"$bt" copies -dir "$tmp/rss-in" -root "$corpus" -pages "$pages" -from "$results/folio-1.json" -- "${mix[@]}" \
  >"$results/copies.json"
"$bt" rss -every 1000 -interval 500ms -log "$out/rss.log" -samples "$out/rss-samples.tsv" -- \
  "$folio" parse --json -o "$tmp/rss-out" --db "$tmp/rss.db" "$tmp/rss-in" >"$results/rss.json"
rm -rf "$tmp/rss-out" "$tmp/rss.db"*

# 5. Start-up, with the engine cache warm.
say "start-up"
"$bt" time -n "$version_runs" -warmup 2 -- "$folio" version >"$results/version.json"
"$bt" time -n "$onepage_runs" -warmup 1 -clean "$tmp/one{i}" -- \
  "$folio" parse -o "$tmp/one{i}" --db "$tmp/one{i}/folio.db" "$corpus/$onepage" >"$results/onepage.json"

settings="BENCH_PAGES=$pages BENCH_REPS=$reps BENCH_MODEL_CALLS=$calls BENCH_LATENCY=$latency BENCH_CONCURRENCY=$concurrency"
"$bt" report -results "$results" -md "$md" -go "$gotxt" -note "${BENCH_NOTE:-}" \
  -command "${BENCH_COMMAND:-scripts/bench.sh}" -settings "${quick:+BENCH_QUICK=1 }$settings"
say "wrote $md; results in $results"
