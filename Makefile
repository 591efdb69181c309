# Folio: `make demo` sets up, builds and parses the samples; `make test` runs the whole suite.
SHELL := /bin/bash
GO ?= go
BIN := bin/folio
CORPUS ?= ../shared/corpus
SCORER ?= ../shared/eval/score.py
MDSCORER ?= ../shared/eval/mdscore.py
EVAL_SETS := docling-pdf icdar2013 camelot-lattice tabula-java
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: all deps build demo test lint unit fuzz eval eval-odl bench bench-memory clean

all: build

deps:
	./scripts/deps.sh

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/folio

demo: deps build
	rm -rf out
	./$(BIN) parse testdata/samples -o out --markdown
	@ls out

test: deps lint unit fuzz

# vet and staticcheck build what they check with -race, as unit does: the
# packages are compiled once (the cgo SQLite build alone takes a minute),
# not once for the linters and again for the tests.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	GOFLAGS=-race $(GO) vet ./...
	GOFLAGS=-race ./bin/staticcheck ./...
	$(GO) mod tidy -diff

# The ledger suite runs again on PostgreSQL: a throwaway server the tests
# start themselves (internal/pgtest; Debian's postgresql from make deps).
unit:
	$(GO) test -race -count=1 -timeout 15m ./...
	FOLIO_TEST_LEDGER=postgres FOLIO_REQUIRE_POSTGRES=1 $(GO) test -race -count=1 -timeout 5m ./lineage/

# Short runs of every fuzz target; longer runs: make fuzz FUZZTIME=10m.
FUZZTIME ?= 10s
fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

# Accuracy scoreboard over the shared corpus; per-document results in eval/out/.
eval: build
	@mkdir -p eval/out
	@rm -f eval/out/summary.txt
	@for set in $(EVAL_SETS); do \
	  rm -rf eval/out/$$set; \
	  ./$(BIN) parse $(CORPUS)/$$set -o eval/out/$$set --log-level error >/dev/null || true; \
	  python3 $(SCORER) $(CORPUS)/$$set eval/out/$$set > eval/out/$$set.txt; \
	  echo "$$set: $$(tail -n 1 eval/out/$$set.txt)" | tee -a eval/out/summary.txt; \
	done

# opendataloader-bench's development half: Markdown scored with the
# benchmark's metrics (NID, TEDS, MHS), then how well the table and heading
# confidences find the bad pages (BENCHMARKS.md).
ODL ?= $(CORPUS)/odl-dev
eval-odl: build
	@rm -rf eval/out/odl-dev && mkdir -p eval/out
	./$(BIN) parse $(ODL) -o eval/out/odl-dev --markdown --log-level error >/dev/null
	python3 $(MDSCORER) --json $(ODL) eval/out/odl-dev > eval/out/odl-dev.json
	python3 $(MDSCORER) $(ODL) eval/out/odl-dev | tail -n 1 | tee eval/out/odl-dev.txt
	python3 scripts/confidence-auroc.py eval/out/odl-dev eval/out/odl-dev.json | grep -v '^  ' | tee -a eval/out/odl-dev.txt

# Benchmarks: every Go benchmark into bench/go.txt (compare two with benchstat),
# then scripts/bench.sh (throughput against pdftotext and PyMuPDF, model-bound
# runs, ledger and cache rates, RSS over 10,000 pages, start-up), which rewrites
# its section of BENCHMARKS.md. About 15 minutes on 2 cores; a fast variant:
# make bench BENCH_QUICK=1. Other settings: see scripts/bench.sh.
BENCH_QUICK ?=
BENCH_GOFLAGS ?= $(if $(BENCH_QUICK),-benchtime=100ms,-count=3)
bench: build
	@mkdir -p bench
	set -o pipefail; $(GO) test -run '^$$' -bench . -benchmem $(BENCH_GOFLAGS) ./... | tee bench/go.txt
	BENCH_QUICK=$(BENCH_QUICK) BENCH_GO=bench/go.txt BENCH_COMMAND='make bench$(if $(BENCH_QUICK), BENCH_QUICK=$(BENCH_QUICK))' ./scripts/bench.sh

# A parse worker's memory, with and without -race, cold and warm engine
# cache (BENCHMARKS.md, "Parse worker memory").
bench-memory:
	./scripts/worker-memory.sh

clean:
	rm -rf bin out eval/out
