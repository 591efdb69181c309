// Package folio is the shared vocabulary of the Folio document parser and the
// batch orchestrator that drives its stages.
//
// A batch run takes the output folder's lock, cleans up what a killed run
// left, walks the inputs, hashes each file and asks the ledger whether the
// same content at the same path was already done under the same
// configuration with its outputs intact. Each remaining document then flows
// through the stages:
//
//	parse    bytes → pages (text runs, images, vector rulings and marks, metadata)
//	segment  pages → ordered elements (titles, headings, paragraphs, tables …)
//	route    element → specialist chain → fragment, through one bounded pool
//	synth    elements + fragments → JSON, Markdown and image assets
//	lineage  runs, documents, elements and calls in SQLite
//
// This package imports only the standard library. The stages import it and
// never each other; the orchestrator talks to them through the small
// interfaces in pipeline.go, and cmd/folio wires the implementations together.
// Only the orchestrator writes to the ledger.
package folio
