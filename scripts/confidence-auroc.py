#!/usr/bin/env python3
"""How well Folio's confidence finds its bad pages (issue: confidence that
routing can trust). Stdlib only.

    confidence-auroc.py OUT SCORES.json

OUT is a `folio parse --markdown` output folder, SCORES.json the output of
`mdscore.py --json TRUTH OUT`. A page's table confidence is the lowest
confidence of its tables and refused table candidates (1.0 without any); its heading confidence likewise
for headings and the title. Bad pages: TEDS (or MHS) below 0.8, over the
pages where the metric is defined. Prints, per metric, the AUROC of
(1 - confidence) as a score for "bad", and the share of bad pages caught
when the 20% least confident pages go to a model.
"""
import json
import os
import sys


def lowest(doc, types):
    # A candidate (a region weighed as a table and refused) counts with the
    # belief in its refusal.
    cs = [e.get("confidence", 1.0) for e in doc.get("elements", []) + doc.get("candidates", [])
          if e.get("type") in types and e.get("layer", "body") in ("body", "candidate")]
    return min(cs) if cs else 1.0


def auroc(pos, neg):
    # Probability that a bad page ranks below (less confident than) a good
    # one; ties count half.
    if not pos or not neg:
        return float("nan")
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p < n else 0.5 if p == n else 0.0
    return wins / (len(pos) * len(neg))


def main():
    out, scores = sys.argv[1], sys.argv[2]
    docs = json.load(open(scores))["documents"]
    for metric, types in (("teds", {"table"}), ("mhs", {"heading", "title"})):
        rows = []
        for d in docs:
            if d[metric] is None:
                continue
            path = os.path.join(out, d["id"] + ".pdf.json")
            conf = lowest(json.load(open(path)), types) if os.path.exists(path) else 0.0
            rows.append((conf, d[metric] < 0.8, d["id"]))
        bad = [c for c, b, _ in rows if b]
        good = [c for c, b, _ in rows if not b]
        rows.sort(key=lambda r: r[0])
        k = max(1, round(0.2 * len(rows)))
        caught = sum(1 for c, b, _ in rows[:k] if b)
        print(f"{metric}: pages={len(rows)} bad={len(bad)} auroc={auroc(bad, good):.3f} "
              f"caught_at_20%={caught}/{len(bad)}"
              + (f" ({caught / len(bad):.0%})" if bad else ""))
        for c, b, i in rows[:k]:
            print(f"  routed {i} confidence={c:.2f} bad={b}")


if __name__ == "__main__":
    main()
