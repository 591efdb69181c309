#!/usr/bin/env bash
# Installs what Folio's build, tests and benchmarks need on a fresh Debian
# machine: Debian packages (when missing and when we may install them), Go
# modules, and the linters into ./bin. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# poppler-utils and qpdf: reference tools for checks and benchmarks (pdftotext,
# pdfinfo); the product itself does not need them. tesseract-ocr and its
# English data: OCR of scanned pages, image inputs and figures (local/ocr);
# without them Folio still runs, and the OCR tests skip.
pkgs=()
command -v pdftotext >/dev/null 2>&1 || pkgs+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || pkgs+=(qpdf)
# python3-fitz: PyMuPDF, the second reference of make bench (scripts/bench_pymupdf.py).
/usr/bin/python3 -c 'import fitz' >/dev/null 2>&1 || pkgs+=(python3-fitz)
command -v tesseract >/dev/null 2>&1 || pkgs+=(tesseract-ocr)
if ! tesseract --list-langs 2>/dev/null | grep -x eng >/dev/null; then pkgs+=(tesseract-ocr-eng); fi
# chromium: the headless browser the control plane's end-to-end test
# drives (folio serve, through chromedp) and that takes README's screenshots.
command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
# postgresql: the throwaway servers the tests of the PostgreSQL ledger
# start themselves (internal/pgtest: initdb, postgres, psql); without it
# those tests skip, unless FOLIO_REQUIRE_POSTGRES=1.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then pkgs+=(postgresql); fi
if [ ${#pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing ${pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null || echo "deps: could not install ${pkgs[*]}; tests that need them will skip" >&2
  else
    echo "deps: ${pkgs[*]} missing and not root; tests that need them will skip" >&2
  fi
fi

go mod download
mkdir -p bin
if [ ! -x bin/staticcheck ]; then
  echo "deps: installing staticcheck" >&2
  GOBIN="$PWD/bin" go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
