// Command folio turns folders of documents into structured JSON with a
// lineage ledger. See README.md.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], newStreams()))
}
