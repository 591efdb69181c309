#!/usr/bin/python3
"""Text extraction with PyMuPDF, the reference of `make bench` (scripts/bench.sh).

Writes the text of every page of each PDF (page.get_text()) to OUT/<n>.txt,
with -j processes, and prints {"files": F, "pages": P} on stdout. Needs the
Debian package python3-fitz, hence /usr/bin/python3.

    /usr/bin/python3 scripts/bench_pymupdf.py -j 2 -o OUT a.pdf b.pdf
"""

import argparse
import json
import multiprocessing
import os

import fitz  # PyMuPDF


def extract(job):
    """Writes one PDF's text and returns its page count."""
    path, out = job
    pages = 0
    with fitz.open(path) as doc, open(out, "w", encoding="utf-8") as f:
        for page in doc:
            f.write(page.get_text())
            pages += 1
    return pages


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-j", type=int, default=1, help="processes")
    ap.add_argument("-o", required=True, help="output folder")
    ap.add_argument("pdfs", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.o, exist_ok=True)
    jobs = [(p, os.path.join(args.o, "%d.txt" % i)) for i, p in enumerate(args.pdfs)]
    if args.j <= 1:
        pages = sum(map(extract, jobs))
    else:
        with multiprocessing.Pool(args.j) as pool:
            pages = sum(pool.imap_unordered(extract, jobs, chunksize=1))
    print(json.dumps({"files": len(jobs), "pages": pages}))


if __name__ == "__main__":
    main()
