// Command folio turns folders of documents into structured JSON with a
// lineage ledger. See README.md.
package main

import (
	"os"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == parseWorkerArg {
		os.Exit(serveParseWorker())
	}
	os.Exit(run(os.Args[1:], newStreams()))
}
