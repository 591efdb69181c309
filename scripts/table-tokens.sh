#!/usr/bin/env bash
# Estimated prompt tokens per table request on the shared corpus's table
# sets (ICDAR 2013, camelot lattice, tabula-java): a dry run routes every
# table to one model, and its estimate gives input tokens and calls by
# element type. The estimator counts a token per four characters of the
# system prompt, answer schema and user message, plus images (none here:
# the model has no vision, so only the text of the request counts).
# Usage: scripts/table-tokens.sh [FOLIO_BINARY]
set -euo pipefail
folio=${1:-bin/folio}
corpus=${CORPUS:-../shared/corpus}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for d in icdar2013 camelot-lattice tabula-java; do
	mkdir -p "$work/in/$d"
	cp "$corpus/$d"/*.pdf "$work/in/$d/"
done
cat > "$work/folio.yaml" <<'YAML'
endpoints:
  api: {base_url: "https://api.openai.com/v1", api_key_env: FOLIO_TABLE_TOKENS_UNSET}
models:
  tab: {endpoint: api, model: gpt-4.1-mini, input_per_mtok: 0.40, output_per_mtok: 1.60}
routes:
  table: [tab]
YAML
"$folio" parse "$work/in" -o "$work/out" --config "$work/folio.yaml" --dry-run --json -q 2>/dev/null |
	tail -1 | python3 -c '
import json, sys
s = json.load(sys.stdin)
for r in s["estimate"]["by_type"]:
    if r["type"] == "table":
        n, tok = r["calls"], r["input_tokens"]
        print("%d tables, %d input tokens, %.0f per table" % (n, tok, tok / n))
'
