package folio

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// PipelineVersion changes whenever a change to parsing, segmentation or a
// local specialist (route/local) would change outputs; it is part of every
// document's configuration hash, so bumping it redoes every document.
const PipelineVersion = "2"

func shortHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// DocumentID returns the id of a document: the same bytes at the same
// relative path under the same configuration get the same id. The path is
// part of it so that two copies of one file in a batch stay two documents.
func DocumentID(sha, config, rel string) string { return "doc_" + shortHash(sha, config, rel) }

// ElementID returns the id of the n-th element (0-based, reading order) of a
// document.
func ElementID(docID string, n int) string {
	return "el_" + shortHash(docID, fmt.Sprint(n))
}

// FragmentID returns the id of the fragment routing produced for an element.
func FragmentID(elementID string) string { return "fr_" + shortHash(elementID, "fragment") }

// RunID returns a run id from its start time (unix nanoseconds) and a salt
// such as the process id; runs are events, so their ids need not repeat.
func RunID(startNanos int64, salt string) string {
	return "run_" + shortHash(fmt.Sprint(startNanos), salt)
}

// ConfigHash combines the pipeline version with the routing policy's hash
// into the configuration identity recorded with every document: a document
// is redone when either changes.
func ConfigHash(policyHash string) string {
	h := sha256.Sum256([]byte("folio/" + PipelineVersion + "\x00" + policyHash))
	return hex.EncodeToString(h[:])
}
